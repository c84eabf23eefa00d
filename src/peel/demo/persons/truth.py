"""The ground truth of the demo persons, written apart from the extracts and never loaded:
who every record really is, and the true persons, addresses and vehicles (see
docs/demo-persons.md, "The truth"). Two records are the same person exactly when their
``true_person_id`` is equal.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peel.demo.persons.parameters import ERROR_KINDS


def write_truth(
    rec: pd.DataFrame,
    persons: pd.DataFrame,
    addresses: pd.DataFrame,
    vehicles: pd.DataFrame,
    truth_dir: Path,
) -> dict[str, Path]:
    """Write who every record really is, apart from the extracts."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        name: truth_dir / f"{name}.parquet"
        for name in ("person_records", "persons", "addresses", "vehicles")
    }
    cols = [
        "record_key",
        "true_person_id",
        "source_system",
        "source_record_id",
        "role",
        "address_id",
        "true_vrm",
    ] + [f"err_{k}" for k in ERROR_KINDS]
    recs = rec[cols].rename(columns={"address_id": "true_address_id"})
    recs["true_address_id"] = recs["true_address_id"].astype("Int64")
    recs.to_parquet(paths["person_records"], index=False)
    persons.drop(columns=["offending_weight", "victim_weight"]).to_parquet(
        paths["persons"], index=False
    )
    addresses.to_parquet(paths["addresses"], index=False)
    vehicles.to_parquet(paths["vehicles"], index=False)
    return paths
