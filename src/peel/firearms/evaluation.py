"""How well the safeguarding scan finds the holders the demo force planted: recall and
precision against the demo's truth (``truth/firearms_holders.parquet``), the controls (holders
who are only victims or callers) raised, and each planted holder missed put in a category with
the reason. The demo's own test data: fictional persons, so nothing here is logged.

Used by ``peel firearms safeguarding-evaluate`` and ``bench/firearms.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from peel.firearms.safeguarding import GIVES_ANY, NAME_ONLY, find_evidence
from peel.warehouse.sql import literal_tuple

# Why a planted holder is missed, one category each (``_categorise``).
NAME_ONLY_UNLINKED = "own record gives only a name; linkage did not put it with the holder"
NAME_ONLY_WEAK = ("own record gives only a name; linkage put it with the holder, but the name is too common "
                  "(its probability under the linkage run's match threshold) or someone else of that name is known")
OWN_UNLINKED = "own record not linked to the register's record of the holder"
NOT_AT_ADDRESS = "record of someone at the address does not place them there"


@dataclass(frozen=True)
class Evaluation:
    recall: float
    precision: float
    true_positives: int
    planted: int
    raised: int
    controls_raised: int
    misses: list[dict]  # holder_ref, own, at_address, category, why

    @property
    def by_category(self) -> dict[str, int]:
        return dict(Counter(m["category"] for m in self.misses))


def evaluate(con: duckdb.DuckDBPyConnection, truth_path: Path) -> Evaluation:
    """Recall and precision of the holders with evidence against the demo's planted truth,
    with each miss explained."""
    truth = pd.read_parquet(truth_path)
    flagged = set(find_evidence(con).holder_ref)
    planted = set(truth.holder_ref[truth.should_raise])
    hits = flagged & planted
    controls = set(truth.holder_ref[truth.group == "control"])
    errors = pd.read_parquet(Path(truth_path).parent / "person_records.parquet")
    missed = truth[truth.holder_ref.isin(planted - flagged)]
    together = _with_holder(con, missed)
    name_only = _name_only(con, missed)
    misses = []
    for row in missed.itertuples():
        category, why = _explain_miss(row, errors, row.holder_ref in together, name_only)
        misses.append({"holder_ref": row.holder_ref, "own": row.own_concern, "at_address": row.address_concern,
                       "category": category, "why": why})
    return Evaluation(
        recall=len(hits) / len(planted) if planted else 1.0,
        precision=len(hits) / len(flagged) if flagged else 1.0,
        true_positives=len(hits), planted=len(planted), raised=len(flagged),
        controls_raised=len(flagged & controls), misses=misses)


def _with_holder(con: duckdb.DuckDBPyConnection, missed: pd.DataFrame) -> set[str]:
    """The missed holders one of whose planted records linkage put in the holder's entity."""
    pairs = [(r.holder_ref, key) for r in missed.itertuples() for key in r.records.split()]
    if not pairs:
        return set()
    refs = literal_tuple(sorted({h for h, _ in pairs}))
    rows = con.execute(f"""
        WITH run AS (SELECT max(run_id) AS r FROM linkage_run)
        SELECT f.holder_ref, list(o.record_key) FROM firearms_holder f
        JOIN linkage_entity e ON e.record_key = f.record_key AND e.run_id = (SELECT r FROM run)
        JOIN linkage_entity o ON o.entity_id = e.entity_id AND o.run_id = e.run_id
        WHERE f.holder_ref IN {refs} GROUP BY f.holder_ref""").fetchall()
    members = {holder: set(keys) for holder, keys in rows}
    return {h for h, key in pairs if key in members.get(h, set())}


def _name_only(con: duckdb.DuckDBPyConnection, missed: pd.DataFrame) -> set[str]:
    """The missed holders' planted records that give nothing but a name (the scan's own definition)."""
    keys = sorted({key for r in missed.itertuples() for key in r.records.split()})
    if not keys:
        return set()
    only = NAME_ONLY.format(gives_any=GIVES_ANY)
    return {k for (k,) in con.execute(f"SELECT r.record_key FROM person_record r "
                                      f"WHERE r.record_key IN {literal_tuple(keys)} AND {only}").fetchall()}


def _explain_miss(row, errors: pd.DataFrame, linked: bool, name_only: set[str]) -> tuple[str, str]:
    """The category and reason a planted holder was not found: what linkage did with the
    concerning records, and what they got wrong (the demo's truth records each record's
    data-entry errors)."""
    mine = errors[errors.record_key.isin(row.records.split())]
    flags = [c for c in errors.columns if c.startswith("err_") and mine[c].any()]
    made = ", ".join(c.removeprefix("err_").replace("_", " ") for c in flags) or "none recorded"
    if row.own_concern and set(row.records.split()) <= name_only:
        category = NAME_ONLY_WEAK if linked else NAME_ONLY_UNLINKED
        return category, (f"the holder's own record(s) ({row.own_concern}) give no date of birth, address, "
                          f"phone number, email or PNC number: {category}; nothing else on them tells the holder "
                          f"from a namesake; their recording errors: {made}")
    if row.own_concern:
        return OWN_UNLINKED, (f"the holder's own record(s) ({row.own_concern}) were not linked to the register's "
                              f"record of them; their recording errors: {made}")
    return NOT_AT_ADDRESS, (f"the record(s) of someone at the holder's address ({row.address_concern}) do not give "
                            f"that address as linkage resolves it (missing, stale, or without a house number); their "
                            f"recording errors: {made}")
