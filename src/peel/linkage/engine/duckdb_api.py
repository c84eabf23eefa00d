"""Splink's DuckDB backend: linkage in the same in-process DuckDB that prepared the records,
so a million records never leave the process or get copied."""

from __future__ import annotations

import duckdb
from splink import DuckDBAPI


def make_db_api(con: duckdb.DuckDBPyConnection) -> DuckDBAPI:
    """Splink's database API on the working connection."""
    return DuckDBAPI(connection=con)


def register_table(db_api: DuckDBAPI, con: duckdb.DuckDBPyConnection, table: str):
    """Hand a prepared table of ``con`` to Splink without copying it."""
    return db_api.register(table)
