"""``peel link review``: the pairs near the threshold, for a person to accept or reject.

Decisions are kept in ``linkage_review_decision`` and applied in every later run (a
'match' joins the pair's entities, a 'non_match' keeps them apart even through chains of
other links). The casebook's review queue will take this over (see docs/linkage.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from peel.linkage import settings as S
from peel.linkage.warehouse_run import latest_run_id
from peel.warehouse import connect

DECISIONS = ("match", "non_match")


def pairs_to_review(limit: int = 20, warehouse: Path | None = None) -> pd.DataFrame:
    """Undecided pairs of the latest run in the review band, closest to the threshold first."""
    wcon = connect(warehouse, read_only=True)
    run = latest_run_id(wcon)
    if run is None:
        raise ValueError("No linkage run in the warehouse yet: run 'peel link' first.")
    frame = wcon.execute(
        """SELECT p.record_key_l, p.record_key_r, p.match_probability,
                  el.entity_id = er.entity_id AS same_entity
           FROM linkage_pair p
           LEFT JOIN linkage_review_decision d
                  ON d.record_key_l = p.record_key_l AND d.record_key_r = p.record_key_r
           LEFT JOIN linkage_entity el ON el.run_id = p.run_id AND el.record_key = p.record_key_l
           LEFT JOIN linkage_entity er ON er.run_id = p.run_id AND er.record_key = p.record_key_r
           WHERE p.run_id = ? AND d.decision IS NULL
             AND p.match_probability >= ? AND p.match_probability < ?
           ORDER BY abs(p.match_probability - ?), p.record_key_l, p.record_key_r
           LIMIT ?""",
        [run, S.REVIEW_LOW, S.REVIEW_HIGH, S.MATCH_THRESHOLD, limit],
    ).df()
    wcon.close()
    return frame


def record_decision(record_a: str, record_b: str, decision: str, decided_by: str,
                    reason: str | None = None, warehouse: Path | None = None) -> None:
    """Keep a reviewer's decision on a pair; it overrides the model from the next run on."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'.")
    if record_a == record_b:
        raise ValueError("A pair needs two different records.")
    lo, hi = sorted([record_a, record_b])
    wcon = connect(warehouse)
    known = wcon.execute(
        "SELECT count(*) FROM person_record WHERE record_key IN (?, ?)", [lo, hi]).fetchall()[0][0]
    if known < 2:
        wcon.close()
        raise ValueError(f"Both records must be in the warehouse: '{lo}', '{hi}'.")
    wcon.execute(
        """INSERT OR REPLACE INTO linkage_review_decision
           (record_key_l, record_key_r, decision, decided_by, decided_at, reason, run_id)
           VALUES (?, ?, ?, ?, ?, ?, (SELECT max(run_id) FROM linkage_run))""",
        [lo, hi, decision, decided_by, datetime.now(UTC), reason],
    )
    wcon.close()
