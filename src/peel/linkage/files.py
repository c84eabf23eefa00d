"""``peel link file``: link or deduplicate CSV/Parquet files that are not in the warehouse,
given a mapping (the one mapping language, ``peel.sources.mapped``); write every input
record's id and its entity id."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from peel.casebook import PURPOSE, Action, Domain, Operation, Request, processing
from peel.linkage.prepare import prepare_persons, unreadable_dates
from peel.linkage.resolve import LinkResult, Progress, resolve
from peel.sources.mapped import DEFAULT_DATE_FORMATS, Mapping, MappingError, read_mapping
from peel.sources.mapped.fields import column_sql, field_sql, text_sql
from peel.sources.mapped.files import NOT_UTF8, PARQUET_SUFFIXES, read_extract
from peel.warehouse.sql import quote_identifier


def link_files(
    inputs: list[Path],
    mapping_path: Path,
    out_path: Path | None = None,
    *,
    backend: str = "duckdb",
    progress: Progress | None = None,
    truth: pd.Series | None = None,
) -> tuple[pd.DataFrame, LinkResult]:
    """Link ``inputs`` as described by the mapping; return (id -> entity_id table, result).

    The table has columns ``id, entity_id`` (and ``source`` when ids repeat across files);
    when ``out_path`` is given it is also written there as CSV. Dates of birth that fit no
    date format are counted in ``result.dates_not_understood``; when none fits, MappingError.
    ``truth`` (true entity by id, or by 'file number:id' when ids repeat across files), when
    given, reports the share of true pairs each blocking rule brings together.
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
    not_understood, shapes = unreadable_dates(con, "peel_raw", "peel_prepared")
    understood = con.execute("SELECT count(date_of_birth) FROM peel_prepared").fetchall()[0][0]
    if not_understood and not understood:
        raise MappingError(
            f"{mapping_path}: none of the {not_understood:,} dates of birth can be read by "
            f"{date_forms(mapping)} (they look like {describe_shapes(shapes)}). "
            "Fix date_formats in the mapping."
        )
    if truth is not None:
        keys = con.execute("SELECT unique_id, id, source_file FROM peel_raw").df()
        by = keys["id"] if not collide else keys["source_file"].astype(str) + ":" + keys["id"]
        truth = pd.Series(truth.reindex(by.values).values, index=keys["unique_id"].values)
    result = resolve(con, "peel_prepared", fields, exact_columns=exact,
                     backend=backend, progress=progress, truth=truth)
    result.dates_not_understood = not_understood
    result.date_shapes = shapes
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


def describe_shapes(shapes: list[tuple[str, int]]) -> str:
    """Unreadable dates' shapes in words: "'99/99/99' (12), 'unknown' (3)"."""
    return ", ".join(f"'{shape}' ({n:,})" for shape, n in shapes)


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


def read_in_encoding(path: Path, mapping: Mapping):
    """``read_extract``, after re-writing a CSV in UTF-8 when the mapping's ``encoding:``
    says it is written otherwise (messages still name the file given)."""
    if mapping.encoding == "utf-8" or Path(path).suffix.lower() in PARQUET_SUFFIXES:
        return read_extract(path, mapping)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / Path(path).name
        try:
            text = Path(path).read_text(encoding=mapping.encoding)
        except UnicodeDecodeError as exc:
            line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
            raise MappingError(
                f"{path} line {line}: holds bytes that are not {mapping.encoding}, the "
                f"encoding {mapping.path.name} names. Correct 'encoding:' in the mapping."
            ) from None
        copy.write_text(text, encoding="utf-8")
        try:
            extract = read_extract(copy, mapping)
        except MappingError as exc:
            raise MappingError(str(exc).replace(str(copy), str(path))) from None
    extract.path = Path(path)
    return extract


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
        extract = read_in_encoding(path, mapping)
        if extract.unreadable:
            line, reason, _raw = extract.unreadable[0]
            advice = (f" If the file is written in another encoding (Windows files often are "
                      f"cp1252 or latin-1), say so in {mapping.path.name}: 'encoding: cp1252'."
                      if reason == NOT_UTF8 else "")
            raise MappingError(
                f"{path} line {line}: {reason}. {len(extract.unreadable):,} row(s) cannot be "
                f"read; every record of a file to link must be: fix the file and run again."
                f"{advice}"
            )
        if len(extract.rows) == 0:
            raise MappingError(
                f"{path}: no records, only a header line. Give a file with records, or leave "
                "this one out."
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
