"""``peel link file``: link or deduplicate CSV/Parquet files that are not in the warehouse,
given a YAML column mapping; write every input record's id and its entity id."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from peel.linkage.mapping import Mapping, MappingError, load_files, read_mapping
from peel.linkage.prepare import DOB_NOT_UNDERSTOOD, prepare_persons
from peel.linkage.resolve import LinkResult, Progress, resolve


def link_files(
    inputs: list[Path],
    mapping_path: Path,
    out_path: Path | None = None,
    *,
    backend: str = "duckdb",
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, LinkResult]:
    """Link ``inputs`` as described by the mapping; return (id -> entity_id table, result).

    The table has columns ``id, entity_id`` (and ``source`` when ids repeat across files);
    when ``out_path`` is given it is also written there as CSV. Dates of birth that fit no
    date format are counted in ``result.dates_not_understood``; when none fits, MappingError.
    """
    step = progress or (lambda _msg: None)
    mapping = read_mapping(mapping_path)
    con = duckdb.connect()
    step("reading and normalising records")
    collide = load_files(con, [Path(p) for p in inputs], mapping, "peel_raw")
    fields = prepare_persons(
        con, "peel_raw", "peel_prepared", date_format=mapping.date_format,
        exact_columns=tuple(mapping.exact),
    )
    understood, not_understood = con.execute(
        "SELECT count(date_of_birth), count(*) FILTER (WHERE contains(prepare_note, ?)) "
        "FROM peel_prepared", [DOB_NOT_UNDERSTOOD]).fetchall()[0]
    if not_understood and not understood:
        raise MappingError(
            f"{mapping_path}: none of the {not_understood:,} dates of birth fits "
            f"{date_forms(mapping)}. Fix date_format in the mapping."
        )
    result = resolve(con, "peel_prepared", fields, exact_columns=tuple(mapping.exact),
                     backend=backend, progress=progress)
    result.dates_not_understood = not_understood
    ids = con.execute("SELECT unique_id, id, source_file FROM peel_raw").df()
    out = ids.merge(result.clusters, on="unique_id", how="left")
    out["entity_id"] = out["cluster_id"]
    table = out[["id", "entity_id"] + (["source_file"] if collide else [])]
    if collide:
        names = {n: str(p) for n, p in enumerate(inputs)}
        table = table.assign(source=table["source_file"].map(names)).drop(columns="source_file")
    if out_path is not None:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out_path, index=False)
    con.close()
    return table, result


def date_forms(mapping: Mapping) -> str:
    """How a mapping's dates of birth are read, in words (for messages)."""
    if mapping.date_format:
        return f"date_format '{mapping.date_format}'"
    return "the ISO or UK day-first forms tried when a mapping names no date_format"
