"""The linkage engine: Splink over DuckDB (one machine) or Spark (a cluster), chosen by the
``PEEL_LINKAGE_BACKEND`` setting. Each backend module has the same two functions,
``make_db_api`` and ``register_table``, so the rest of linkage never asks which it is.
"""

from __future__ import annotations

from types import ModuleType

import duckdb

BACKENDS = ("duckdb", "spark")


def get_backend(name: str) -> ModuleType:
    """Return the backend module for ``name`` ('duckdb' or 'spark')."""
    if name == "duckdb":
        from peel.linkage.engine import duckdb_api

        return duckdb_api
    if name == "spark":
        from peel.linkage.engine import spark_api

        return spark_api
    raise ValueError(
        f"Unknown linkage backend '{name}' (PEEL_LINKAGE_BACKEND). Use one of: {', '.join(BACKENDS)}."
    )


def make_engine(name: str, con: duckdb.DuckDBPyConnection):
    """Return (Splink database API, register function) for the named backend."""
    backend = get_backend(name)
    db_api = backend.make_db_api(con)
    return db_api, lambda table: backend.register_table(db_api, con, table)
