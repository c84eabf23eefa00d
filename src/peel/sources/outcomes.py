"""The police.uk outcome mapping: each published outcome wording, its Home Office outcome
group and number, and whether it counts as positive ("solved").

The mapping is data (``mappings/police_uk_outcomes.csv``), defined once; every loader and
measure reads it from here or from the warehouse table ``outcome_mapping`` that
``sync_outcome_mapping`` keeps equal to it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

MAPPING_COLUMNS = ["outcome_type", "outcome_group", "ho_outcome_code", "is_positive", "explanation"]

# Group given to a wording that is not in the mapping: kept and flagged, never dropped.
UNMAPPED_GROUP = "Unmapped"
UNMAPPED_FLAG = "outcome wording not in mapping: add it to police_uk_outcomes.csv"


def get_mapping_path():
    """Return the path of the mapping CSV shipped with peel."""
    return resources.files("peel.sources") / "mappings" / "police_uk_outcomes.csv"


@lru_cache(maxsize=1)
def _read_mapping() -> pd.DataFrame:
    import pandas as pd  # here, not above: peel.sources is imported by every peel command

    path = get_mapping_path()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(frame.columns) != MAPPING_COLUMNS:
        raise ValueError(
            f"{path}: expected columns {','.join(MAPPING_COLUMNS)}, found {','.join(frame.columns)}."
        )
    bad = frame[~frame["is_positive"].isin(["true", "false"])]
    if len(bad):
        line = int(bad.index[0]) + 2  # header is line 1
        raise ValueError(f"{path} line {line}: is_positive must be 'true' or 'false'.")
    duplicated = frame[frame["outcome_type"].duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise ValueError(f"{path} line {line}: outcome_type appears twice.")
    frame["is_positive"] = frame["is_positive"] == "true"
    frame["ho_outcome_code"] = frame["ho_outcome_code"].replace("", None)
    return frame


def load_outcome_mapping() -> pd.DataFrame:
    """Return the outcome mapping as a DataFrame (columns ``MAPPING_COLUMNS``), read once."""
    return _read_mapping().copy()


def sync_outcome_mapping(con: duckdb.DuckDBPyConnection) -> int:
    """Make the warehouse table ``outcome_mapping`` equal to the mapping file; return its rows.

    Call it inside a batch (``open_batch``) so it commits or rolls back with the load.
    """
    mapping = load_outcome_mapping()
    con.register("_peel_outcome_mapping", mapping)
    try:
        con.execute(
            "DELETE FROM outcome_mapping WHERE outcome_type NOT IN "
            "(SELECT outcome_type FROM _peel_outcome_mapping)"
        )
        con.execute(
            f"INSERT OR REPLACE INTO outcome_mapping ({', '.join(MAPPING_COLUMNS)}) "
            f"SELECT {', '.join(MAPPING_COLUMNS)} FROM _peel_outcome_mapping"
        )
    finally:
        con.unregister("_peel_outcome_mapping")
    return len(mapping)


def render_mapping_table() -> str:
    """Return the mapping as a Markdown table, for docs/ingest.md (a test keeps them equal)."""
    mapping = load_outcome_mapping()
    lines = [
        "| police.uk outcome | Home Office group | HO outcome | solved | meaning |",
        "|---|---|---|---|---|",
    ]
    for row in mapping.itertuples():
        lines.append(
            f"| {row.outcome_type} | {row.outcome_group} | {row.ho_outcome_code or ''} | "
            f"{'yes' if row.is_positive else 'no'} | {row.explanation} |"
        )
    return "\n".join(lines)
