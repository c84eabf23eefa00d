"""Splink's Spark backend, for linkage that outgrows one machine.

By default a local Spark session (``local[2]``); set ``PEEL_SPARK_MASTER`` or
``SPARK_MASTER`` (or call with an existing session) to run on a cluster. Records are prepared in DuckDB, then handed to Spark.
"""

from __future__ import annotations

import duckdb

from peel.settings import get_settings


def get_spark_session():
    """Return the active Spark session, or start a local one sized for a laptop."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    settings = get_settings()
    return (
        SparkSession.builder.master(settings.spark_master)
        .appName("peel-linkage")
        # Splink's string-similarity functions (jaro_winkler, damerau_levenshtein) are
        # Scala UDFs shipped as a jar with Splink.
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        # Not ./spark-warehouse in whatever folder peel was started from.
        .config("spark.sql.warehouse.dir", settings.spark_warehouse_dir)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )


def make_db_api(con: duckdb.DuckDBPyConnection):
    """Splink's Spark database API on the active (or a new local) session."""
    from splink import SparkAPI

    spark = get_spark_session()
    spark.sparkContext.setCheckpointDir(get_settings().spark_checkpoint_dir)
    return SparkAPI(spark_session=spark, break_lineage_method="persist")


def register_table(db_api, con: duckdb.DuckDBPyConnection, table: str):
    """Copy a prepared DuckDB table into Spark and hand it to Splink."""
    frame = con.execute(f"SELECT * FROM {table}").df()
    spark_df = db_api.spark.createDataFrame(frame)
    return db_api.register(spark_df)
