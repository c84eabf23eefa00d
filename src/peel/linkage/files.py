"""``peel link file``: link or deduplicate CSV/Parquet files that are not in the warehouse,
given a mapping (the one mapping language, ``peel.sources.mapped``); write every input
record's id and its entity id."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from peel.casebook import PURPOSE, Action, Domain, Operation, Request, processing
from peel.linkage.prepare import DOB_NOT_UNDERSTOOD, prepare_persons
from peel.linkage.resolve import LinkResult, Progress, resolve
from peel.sources.mapped import DEFAULT_DATE_FORMATS, Mapping, MappingError, read_mapping
from peel.sources.mapped.fields import column_sql, field_sql, text_sql
from peel.sources.mapped.files import read_extract
from peel.warehouse.sql import quote_identifier


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
    exact = tuple(exact_names(mapping).values())
    fields = prepare_persons(
        con, "peel_raw", "peel_prepared", date_formats=mapping.date_formats, exact_columns=exact
    )
    understood, not_understood = con.execute(
        "SELECT count(date_of_birth), count(*) FILTER (WHERE contains(prepare_note, ?)) "
        "FROM peel_prepared", [DOB_NOT_UNDERSTOOD]).fetchall()[0]
    if not_understood and not understood:
        raise MappingError(
            f"{mapping_path}: none of the {not_understood:,} dates of birth fits "
            f"{date_forms(mapping)}. Fix date_formats in the mapping."
        )
    result = resolve(con, "peel_prepared", fields, exact_columns=exact,
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
    if mapping.date_formats != list(DEFAULT_DATE_FORMATS):
        return f"date_formats {mapping.date_formats}"
    return "the ISO or UK day-first forms tried when a mapping names no date_formats"


def exact_names(mapping: Mapping) -> dict[str, str]:
    """Each ``exact:`` column with the name linkage gives it: 'exact_' and the column name in
    lower case letters, digits and underscores ('soc sec' -> exact_soc_sec), so that any
    column name, spaces and quotes included, can be compared and blocked on."""
    names = {
        column: "exact_" + (re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_") or "column")
        for column in mapping.exact
    }
    seen: dict[str, str] = {}
    for column, name in names.items():
        if name in seen:
            raise MappingError(
                f"{mapping.path}: exact columns {seen[name]!r} and {column!r} differ only in "
                "case or punctuation; compare one of them, or rename one in the file."
            )
        seen[name] = column
    return names


def load_files(
    con: duckdb.DuckDBPyConnection, inputs: list[Path], mapping: Mapping, raw_table: str
) -> bool:
    """Load every input into ``raw_table``: unique_id, source_file, id, the mapped person
    fields as text (a Parquet date column stays a date) and the ``exact:`` columns.

    Returns True when ids repeat across files, so that output must say which file each id
    came from. Raises MappingError naming the file (and the column or line) when a mapped
    column is missing, a row cannot be read, or an id is missing or repeated.
    """
    exact = exact_names(mapping)
    selects = []
    for n, path in enumerate(inputs):
        extract = read_extract(path, mapping)
        if extract.unreadable:
            line, reason, _raw = extract.unreadable[0]
            raise MappingError(
                f"{path} line {line}: {reason}. {len(extract.unreadable):,} row(s) cannot be "
                "read; every record of a file to link must be: fix the file and run again."
            )
        view = f"peel_input_{n}"
        con.register(view, extract.rows)
        items = [f"{text_sql([mapping.record_id])} AS id", f"{n} AS source_file"]
        for name, columns in mapping.fields.items():
            date = name == "date_of_birth" and len(columns) == 1 and columns[0] in extract.dates
            value = f"CAST({column_sql(columns[0])} AS DATE)" if date else field_sql(mapping, name)
            items.append(f"{value} AS {quote_identifier(name)}")
        items += [f"{text_sql([column])} AS {name}" for column, name in exact.items()]
        selects.append(f"SELECT {', '.join(items)} FROM {view} AS src")
    # Each file is read once, into raw_table; the checks below run on that table.
    union = " UNION ALL BY NAME ".join(selects)
    con.execute(f"CREATE OR REPLACE TABLE {raw_table} AS SELECT id AS unique_id, * FROM ({union})")
    for n in range(len(inputs)):
        con.unregister(f"peel_input_{n}")
    problem = con.execute(
        f"""SELECT source_file, id, count(*) FROM {raw_table} GROUP BY source_file, id
        HAVING id IS NULL OR count(*) > 1 ORDER BY source_file, id NULLS FIRST LIMIT 1"""
    ).fetchall()
    if problem:
        n, dup, count = problem[0]
        path = Path(inputs[n])
        if dup is None:
            raise MappingError(
                f"{path}: {count} row(s) have no value in the id column "
                f"'{mapping.record_id}'. Every record needs an id."
            )
        raise MappingError(
            f"{path}: id '{dup}' appears {count} times in column '{mapping.record_id}'. "
            "Ids must be unique within a file."
        )
    collide = con.execute(
        f"SELECT count(*) FROM (SELECT id FROM {raw_table} GROUP BY id HAVING count(*) > 1)"
    ).fetchall()[0][0] > 0
    if collide:
        con.execute(f"UPDATE {raw_table} SET unique_id = source_file || ':' || id")
    return collide


def combine_files(acting: str | None, inputs: list[Path], mapping_path: Path, out_path: Path | None = None,
                  *, purpose: str | None, **options) -> tuple[pd.DataFrame, LinkResult]:
    """``link_files`` as the combination of personal data it is: refused, and logged, unless
    ``acting`` may combine linkage records and says why; the files and result logged."""
    request = Request(Action.COMBINE, "person_file", domain=Domain.LINKAGE, purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COMBINATION) as touched:
        table, result = link_files(inputs, mapping_path, out_path, **options)
        touched.update(files=[str(p) for p in inputs], records=len(table), entities=int(table["entity_id"].nunique()))
    return table, result
