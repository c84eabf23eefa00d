"""The Spark backend behind the same interface: a small linkage through local PySpark."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from peel.linkage.evaluate import evaluate_clusters
from peel.linkage.files import link_files

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "linkage" / "mappings"


@pytest.mark.spark
def test_link_files_runs_through_local_spark(peel_home, linkage_data, tmp_path, monkeypatch):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the Spark backend needs it.")
    pytest.importorskip("pyspark")
    source = pd.read_csv(linkage_data / "fake_1000.csv", dtype=str)
    small = source[source["cluster"].astype(int) < 25]  # ~100 records, 25 true entities
    data = tmp_path / "small.csv"
    small.to_csv(data, index=False)
    monkeypatch.setenv("PEEL_SPARK_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    table, result = link_files([data], MAPPINGS / "fake_1000.yaml", tmp_path / "out.csv",
                               backend="spark")
    assert len(table) == len(small)
    assert table["entity_id"].notna().all()
    measures = evaluate_clusters(table.set_index("id")["entity_id"],
                                 small.set_index("unique_id")["cluster"])
    assert measures.f1 >= 0.8, measures
    assert result.model["sql_dialect"] == "spark"
