"""``peel link explain A B``: why two person records were or were not linked.

Scores the pair with the latest run's trained model and lists each piece of evidence (name,
date of birth, address, identifiers) with the level it reached and its weight, in words and
as a Vega-Lite chart (``explain_chart.json``). Only the kind of agreement is shown, never the
personal data itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
from splink import Linker

from peel.casebook import Domain, consultation
from peel.linkage import model as S
from peel.linkage.resolve import logit2
from peel.linkage.warehouse_run import stored_linker
from peel.settings import get_settings
from peel.warehouse import connect


@dataclass(frozen=True)
class Evidence:
    evidence: str  # e.g. "date of birth"
    level: str  # e.g. "day and month swapped"
    match_weight: float  # log2 Bayes factor; > 0 favours the same person


@dataclass(frozen=True)
class Explanation:
    record_a: str
    record_b: str
    prior_weight: float
    evidence: list[Evidence]
    match_weight: float
    match_probability: float
    threshold: float
    same_entity: bool | None  # in the latest run
    decision: str | None  # a reviewer's decision on this pair, if any

    def sentences(self) -> list[str]:
        """The explanation in words."""
        verdict = "linked" if self.match_probability >= self.threshold else "not linked"
        lines = [
            (f"Match probability {self.match_probability:.4f} against a threshold of "
            f"{self.threshold}: on their own evidence these records are {verdict}.")
        ]
        for e in self.evidence:
            if e.match_weight == 0:
                continue
            factor = 2 ** abs(e.match_weight)
            direction = "more" if e.match_weight > 0 else "less"
            lines.append(f"{e.evidence}: {e.level} ({e.match_weight:+.2f} bits: {factor:,.1f} "
                         f"times {direction} likely if they are the same person)")
        if self.decision:
            lines.append(f"A reviewer decided this pair is a {self.decision.replace('_', '-')}; "
                         "that decision overrides the model.")
        if self.same_entity is not None:
            lines.append("In the latest run they are in the same entity." if self.same_entity
                         else "In the latest run they are in different entities.")
            if self.same_entity and self.match_probability < self.threshold and not self.decision:
                lines.append("They are joined through other records of the entity that each of "
                             "them matches.")
        return lines

    def chart_spec(self) -> dict:
        """The Vega-Lite spec of the explanation (explain_chart.json filled with this pair)."""
        spec = json.loads((resources.files("peel.linkage") / "explain_chart.json").read_text())
        rows = [{"evidence": "prior (before evidence)", "level": "", "match_weight": self.prior_weight}]
        rows += [{"evidence": e.evidence, "level": e.level, "match_weight": e.match_weight}
                 for e in self.evidence]
        rows.append({"evidence": "total", "level": f"probability {self.match_probability:.4f}",
                     "match_weight": self.match_weight})
        spec["data"]["values"] = rows
        return spec


def score_pairs(work: duckdb.DuckDBPyConnection, linker: Linker, left: list[str],
                right: list[str]) -> pd.DataFrame:
    """Score every (left, right) pair of the prepared records ``peel_existing`` of ``work``."""
    frame = work.execute("SELECT * FROM peel_existing").df()
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.set_index("unique_id", drop=False)
    lrec = [records.loc[k].to_dict() for k in left]
    rrec = [records.loc[k].to_dict() for k in right]
    return linker.inference.score_pairs(lrec, rrec).as_pandas_dataframe()


def explain_pair(username: str | None, record_a: str, record_b: str, *, purpose: str | None,
                 warehouse: Path | None = None) -> Explanation:
    """Explain the pair (A, B) of person record keys with the latest run's model, for
    ``username`` and ``purpose`` (checked and logged as ``explain_pairs`` says)."""
    return explain_pairs(username, [(record_a, record_b)], purpose=purpose, warehouse=warehouse)[0]


def explain_pairs(username: str | None, pairs: list[tuple[str, str]], *, purpose: str | None,
                  warehouse: Path | None = None) -> list[Explanation]:
    """Explain each (A, B) pair of person record keys with the latest run's model, scoring
    them together (the review queue explains a page of pairs at once).

    A consultation of linked person records: needs a casebook user who may read them
    (``read_personal`` in ``linkage``) and a purpose, or it is refused (``CasebookError``) and
    the refusal logged, before anything is read. Each record explained is logged as a
    consultation (subject: its record key) before the explanations are returned.
    """
    if not pairs:
        return []
    with consultation(username, domain=Domain.LINKAGE, object_type="person_record",
                      purpose=purpose) as shown:
        explanations = _explain(pairs, warehouse)
        shown.extend(key for pair in pairs for key in pair)
    return explanations


def _explain(pairs: list[tuple[str, str]], warehouse: Path | None) -> list[Explanation]:
    keys = sorted({k for pair in pairs for k in pair})
    wcon = connect(warehouse, read_only=True)
    work = duckdb.connect()
    try:
        run, linker, _register = stored_linker(wcon, work, keys=keys)
        found = {r[0] for r in work.execute("SELECT unique_id FROM peel_existing").fetchall()}
        for key in keys:
            if key not in found:
                raise ValueError(f"No person record with record_key '{key}' in the warehouse.")
        entity = dict(wcon.execute(
            "SELECT record_key, entity_id FROM linkage_entity WHERE run_id = ? "
            "AND list_contains(?, record_key)", [run, keys]).fetchall())
        decisions = {(lo, hi): d for lo, hi, d in wcon.execute(
            "SELECT record_key_l, record_key_r, decision FROM linkage_review_decision "
            "WHERE list_contains(?, record_key_l)", [keys]).fetchall()}
    finally:
        wcon.close()
    scored = score_pairs(work, linker, [a for a, _ in pairs], [b for _, b in pairs])
    work.close()
    prior = linker._settings_obj._probability_two_random_records_match
    explanations = []
    rows = {(r["unique_id_l"], r["unique_id_r"]): r for _, r in scored.iterrows()}
    for record_a, record_b in pairs:
        row = rows[(record_a, record_b)]
        lo, hi = sorted([record_a, record_b])
        evidence = []
        for comparison in linker._settings_obj.comparisons:
            name = comparison.output_column_name
            gamma = int(row[f"gamma_{name}"])
            level = next(lv for lv in comparison.comparison_levels
                         if lv.comparison_vector_value == gamma)
            weight = float(row[f"mw_{name}"]) + float(row.get(f"mw_tf_adj_{name}", 0.0) or 0.0)
            label = "missing on one side" if level.is_null_level else level.label_for_charts
            evidence.append(Evidence(S.EVIDENCE_NAMES.get(name, name), label, weight))
        explanations.append(Explanation(
            record_a=record_a, record_b=record_b,
            prior_weight=logit2(prior), evidence=evidence,
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            threshold=S.MATCH_THRESHOLD,
            same_entity=(entity[lo] == entity[hi]) if lo in entity and hi in entity else None,
            decision=decisions.get((lo, hi)),
        ))
    return explanations


def write_chart(explanation: Explanation, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write the explanation chart as Vega-Lite JSON and SVG; return both paths."""
    import vl_convert as vlc

    out_dir = out_dir or get_settings().outputs_dir / "linkage"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"explain_{explanation.record_a}__{explanation.record_b}")
    spec = explanation.chart_spec()
    json_path = out_dir / f"{stem}.vl.json"
    svg_path = out_dir / f"{stem}.svg"
    json_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    svg_path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    return json_path, svg_path
