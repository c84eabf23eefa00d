"""The Spark backend behind the same interface: a small linkage through local PySpark gives
the same entities as the DuckDB backend on the same records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from peel.linkage.evaluate import evaluate_clusters
from peel.linkage.files import link_files

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "linkage" / "mappings"

# Spark's settings for a few dozen records: its run time is the JVM compiling and planning
# several hundred small queries, not the data. The JIT's quick tier only, no whole-stage code
# generation and no adaptive re-planning halve the JVM's work here; results are the same.
# Given as spark-submit arguments, so peel's own session builder (get_spark_session) still
# starts the session with its settings.
QUICK_SPARK = (
    "--conf spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 "
    "--conf spark.sql.codegen.wholeStage=false --conf spark.sql.adaptive.enabled=false "
    "--conf spark.ui.showConsoleProgress=false pyspark-shell"
)


def entities(table: pd.DataFrame) -> list[list[str]]:
    """The partition of record ids into entities, whatever the entity ids are called."""
    return sorted(sorted(ids) for ids in table.groupby("entity_id")["id"].apply(list))


@pytest.mark.spark
def test_link_files_through_local_spark_agrees_with_duckdb(peel_home, linkage_data, tmp_path, monkeypatch):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the Spark backend needs it.")
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    source = pd.read_csv(linkage_data / "fake_1000.csv", dtype=str)
    small = source[source["cluster"].astype(int) < 25]  # 85 records, 25 true entities
    data = tmp_path / "small.csv"
    small.to_csv(data, index=False)
    monkeypatch.setenv("PEEL_SPARK_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", QUICK_SPARK)
    try:
        table, result = link_files([data], MAPPINGS / "fake_1000.yaml", tmp_path / "out.csv",
                                   backend="spark")
    finally:
        if (session := SparkSession.getActiveSession()) is not None:
            session.stop()  # the JVM holds a gigabyte the rest of this worker's tests can use
    assert result.model["sql_dialect"] == "spark"
    assert len(table) == len(small)
    assert table["entity_id"].notna().all()
    measures = evaluate_clusters(table.set_index("id")["entity_id"],
                                 small.set_index("unique_id")["cluster"])
    assert measures.f1 >= 0.8, measures

    same, same_result = link_files([data], MAPPINGS / "fake_1000.yaml", backend="duckdb")
    assert same_result.model["sql_dialect"] == "duckdb"
    assert entities(table) == entities(same)
    assert result.notes == same_result.notes  # trained within the same blocks
