"""Recognition measured against the demo force's planted truth (``truth/dvds_situations.json``):
recall over the situations, precision over the candidates, and why each miss was missed: a
linkage miss (the person's or the partner's records not joined), data the situation never
reached (it happened after the extraction), or a rule gap (the records are joined, the rules
did not raise it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peel.dvds.recognition import Candidate, latest_run

SITUATION = "situation"


@dataclass
class Evaluation:
    situations: int
    found: int
    candidates: int
    true_candidates: int
    controls_raised: dict[str, int]
    misses: list[dict] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.situations if self.situations else 0.0

    @property
    def precision(self) -> float:
        return self.true_candidates / self.candidates if self.candidates else 0.0


def evaluate(con: duckdb.DuckDBPyConnection, candidates: list[Candidate], truth_path: Path) -> Evaluation:
    """Score ``candidates`` (from the latest linkage run) against the planted truth."""
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    entity = dict(con.execute("SELECT record_key, entity_id FROM linkage_entity WHERE run_id = ?",
                              [latest_run(con)]).fetchall())
    raised = {(c.person, c.partner) for c in candidates}
    matched: set[tuple[int, int]] = set()
    controls: dict[str, int] = {}
    misses = []
    found = 0
    for planted in truth:
        persons = {entity[k] for k in planted["person_records"] if k in entity}
        partners = {entity[k] for k in planted["partner_records"] if k in entity}
        hits = {(a, b) for a in persons for b in partners} & raised
        if planted["kind"] != SITUATION:
            if hits:
                controls[planted["kind"]] = controls.get(planted["kind"], 0) + 1
            continue
        matched |= hits
        if hits:
            found += 1
        else:
            misses.append({**_why(planted, persons, partners), "person": planted["person"],
                           "evidence": planted["evidence"], "new_date": planted["new_date"]})
    return Evaluation(situations=sum(p["kind"] == SITUATION for p in truth), found=found,
                      candidates=len(raised), true_candidates=len(matched), controls_raised=controls,
                      misses=misses)


def _why(planted: dict, persons: set[int], partners: set[int]) -> dict:
    if not planted["reached_data"]:
        return {"reason": "data never reached", "detail": "the new relationship was recorded after the extraction"}
    if len(persons) > 1:
        return {"reason": "linkage miss", "detail": "the person's abuse record and new records are in "
                                                    f"{len(persons)} entities"}
    if len(partners) > 1:
        return {"reason": "linkage miss", "detail": f"the new partner's records are in {len(partners)} entities"}
    return {"reason": "rule gap", "detail": "joined, but the evidence did not reach the threshold"}
