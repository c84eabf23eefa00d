"""Measure linkage against ground truth: pairwise precision, recall and F1 over the final
entities (two records in one entity is a predicted pair, so cluster mistakes count), and
cluster-level measures.

Pairs are counted, never listed: for n records in an entity there are n(n-1)/2 pairs, so the
counts come from group sizes and a million records evaluate in a second.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Evaluation:
    records: int
    true_entities: int
    predicted_entities: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    exact_entities: int  # predicted entities identical to a true entity
    exact_entity_share: float  # exact_entities / true_entities
    # Records with a predicted entity but none in the truth: left out of every measure.
    records_without_truth: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def evaluate_clusters(predicted: pd.Series, truth: pd.Series) -> Evaluation:
    """Compare two labellings of the same records (index: record id; values: entity ids)."""
    frame = pd.DataFrame({"p": predicted, "t": truth})
    without_truth = int((frame["p"].notna() & frame["t"].isna()).sum())
    frame = frame.dropna()
    if frame.empty:
        raise ValueError("No records in common between the predictions and the truth: check "
                         "that the truth's id column holds the ids of the linked file.")
    tp = _pairs(frame.groupby(["p", "t"]).size())
    pp = _pairs(frame.groupby("p").size())
    tt = _pairs(frame.groupby("t").size())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # An entity is exact when its records are exactly one true entity's records.
    sig_p = frame.groupby("p")["t"].agg(["nunique", "first", "size"])
    true_sizes = frame.groupby("t").size()
    exact = int(((sig_p["nunique"] == 1) & (sig_p["size"].values == true_sizes.reindex(sig_p["first"]).values)).sum())
    n_true = int(frame["t"].nunique())
    return Evaluation(
        records=len(frame),
        true_entities=n_true,
        predicted_entities=int(frame["p"].nunique()),
        true_pairs=tt,
        predicted_pairs=pp,
        correct_pairs=tp,
        precision=precision,
        recall=recall,
        f1=f1,
        exact_entities=exact,
        exact_entity_share=exact / n_true,
        records_without_truth=without_truth,
    )


def truth_from_id_pattern(ids: pd.Series, pattern: str) -> pd.Series:
    """Derive true entities from the ids (e.g. FEBRL's 'rec-12-dup-0' -> '12' with
    pattern ``rec-(\\d+)``): the first group of ``pattern`` is the true entity."""
    rx = re.compile(pattern)
    def entity(value: str):
        m = rx.search(str(value))
        return m.group(1) if m else None
    return ids.map(entity)


def read_truth(path) -> pd.DataFrame:
    """A truth file (CSV or Parquet) as text columns with trimmed names."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such truth file.")
    if path.suffix.lower() in (".parquet", ".pq"):
        t = pd.read_parquet(path).astype("string").astype(object)
    else:
        try:
            t = pd.read_csv(path, dtype=str, skipinitialspace=True)
        except UnicodeDecodeError:
            raise ValueError(f"{path}: the truth file is not UTF-8 text; save it as UTF-8 "
                             "CSV or Parquet.") from None
    t.columns = [str(c).strip() for c in t.columns]
    return t


def evaluate_file(
    predicted_csv, truth_path=None, *, truth_id: str = "id", truth_entity: str | None = None,
    id_pattern: str | None = None,
) -> Evaluation:
    """Evaluate a ``peel link file`` output (id, entity_id) against a truth file or id pattern."""
    pred = pd.read_csv(predicted_csv, dtype=str, skipinitialspace=True)
    for col in ("id", "entity_id"):
        if col not in pred.columns:
            raise ValueError(f"{predicted_csv}: expected a column '{col}' (the output of peel link file).")
    # Ids repeat across files when the output has a 'source' column: key records by both.
    key = pred["id"] if "source" not in pred.columns else pred["source"] + ":" + pred["id"]
    if id_pattern:
        true_entity = truth_from_id_pattern(pred["id"], id_pattern)
    else:
        if truth_path is None or truth_entity is None:
            raise ValueError("Give either --id-pattern, or --truth FILE with --truth-entity COLUMN.")
        t = read_truth(truth_path)
        for col in (truth_id, truth_entity):
            if col not in t.columns:
                raise ValueError(f"{truth_path}: no column '{col}'; its columns are {', '.join(t.columns)}.")
        # Ids repeated across the linked files: a truth with a 'source' column (the file's name
        # or path) keys them by file; without one, an id's truth holds for it in every file.
        by_source = "source" in pred.columns and "source" in t.columns
        truth_key = t[truth_id] if not by_source else (
            t["source"].map(lambda p: Path(p).name) + ":" + t[truth_id])
        repeated = truth_key[truth_key.duplicated()]
        if not repeated.empty:
            where = ("; the linked files share ids: give the truth a 'source' column "
                     "naming each id's file" if "source" in pred.columns and not by_source else "")
            raise ValueError(f"{truth_path}: id '{repeated.iloc[0]}' appears more than once in "
                             f"column '{truth_id}', so its true entity is ambiguous{where}.")
        pred_key = pred["id"] if not by_source else (
            pred["source"].map(lambda p: Path(p).name) + ":" + pred["id"])
        true_entity = pred_key.map(t.set_index(truth_key.values)[truth_entity])
    return evaluate_clusters(pd.Series(pred["entity_id"].values, index=key.values),
                             pd.Series(true_entity.values, index=key.values))
