"""Reading an extract through its mapping: a CSV file with a header line, or a Parquet file,
into rows of text, each with the line it came from, and the rows that cannot be read set
apart with their line and reason. ``peel ingest mapped`` and ``peel link file`` both read
their files here.

A column is found by the name the mapping gives it, or by that name with the spaces around
it trimmed (FEBRL writes ', ' between fields, so its header's names start with a space). A
column the mapping names but the file lacks fails the read, naming the column, the file
and the mapping.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from peel.sources.csv_lines import (
    KEPT_CHARS,
    MAX_LINE_BYTES,
    count_lines,
    csv_line,
    scan_lines,
    too_long_reason,
)
from peel.sources.mapped.mapping import Mapping, MappingError
from peel.warehouse.sql import quote_identifier, quote_literal

PARQUET_SUFFIXES = (".parquet", ".pq")
NOT_UTF8 = (
    "holds bytes that are not UTF-8 (not utf-8 encoded): save the extract as UTF-8 and "
    "load it again"
)


@dataclass
class Extract:
    """An extract's rows, as read."""

    path: Path
    rows: object  # a pyarrow Table or pandas DataFrame: the header's columns, plus _line
    header: list[str]  # its columns, each named as the mapping names it
    unreadable: list[tuple[int, str, str]] = field(default_factory=list)  # (line, why, raw)
    dates: set[str] = field(default_factory=set)  # Parquet columns of a date type


def read_extract(path: Path | str, mapping: Mapping) -> Extract:
    """Read an extract: every column as text (a Parquet date column stays a date), each row
    with its line in ``_line`` (a Parquet file has no header line: its rows count from 1)."""
    path = Path(path)
    if not path.exists():
        raise MappingError(f"{path}: no such file")
    parquet = path.suffix.lower() in PARQUET_SUFFIXES
    try:
        found = pq.read_schema(path).names if parquet else _read_header(path)
    except pa.ArrowException as exc:
        raise MappingError(f"{path}: cannot be read as Parquet: {exc}") from None
    header = _name_columns(path, found, mapping)
    if parquet:
        rows, dates = _read_parquet(path, found, header)
        return Extract(path, rows, header, dates=dates)
    fast = _read_csv_with_duckdb(path, header)
    rows, bad = fast if fast is not None else _read_csv_line_by_line(path, header)
    return Extract(path, rows, header, unreadable=bad)


def _read_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise MappingError(f"{path}: the file is empty; expected a header line") from None
    if any("\ufffd" in name for name in header):
        raise MappingError(f"{path}: the header line {NOT_UTF8}")
    return header


def _name_columns(path: Path, header: list[str], mapping: Mapping) -> list[str]:
    """The header with each column the mapping reads named as the mapping names it."""
    named = list(header)
    missing = []
    for column in mapping.columns():
        if column in header:
            continue
        trimmed = [i for i, name in enumerate(header) if name.strip() == column.strip()]
        if len(trimmed) == 1:
            named[trimmed[0]] = column
        else:
            missing.append(column)
    if missing:
        needs = mapping.columns()
        listed = ", ".join(f"{col!r} (for {needs[col]})" for col in missing)
        raise MappingError(
            f"{path}: {'column' if len(missing) == 1 else 'columns'} {listed} missing; mapping "
            f"{mapping.path.name} needs {'it' if len(missing) == 1 else 'them'}. Columns in the "
            f"file: {', '.join(header)}. Fix the extract or the mapping and load again."
        )
    return named


def _read_parquet(path: Path, found: list[str], header: list[str]) -> tuple[pa.Table, set[str]]:
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        source = f"read_parquet({quote_literal(path)}, file_row_number = true)"
        types = dict(zip(found, con.sql(f"SELECT * FROM {source}").types, strict=False))
        dates = {
            new
            for old, new in zip(found, header, strict=True)
            if str(types[old]) == "DATE" or str(types[old]).startswith("TIMESTAMP")
        }
        columns = [
            f"{quote_identifier(old)} AS {quote_identifier(new)}"
            if new in dates
            else f"CAST({quote_identifier(old)} AS VARCHAR) AS {quote_identifier(new)}"
            for old, new in zip(found, header, strict=True)
        ]
        rows = con.sql(
            f"SELECT {', '.join(columns)}, file_row_number + 1 AS _line FROM {source} "
            "ORDER BY file_row_number"
        ).to_arrow_table()
    return rows, dates


def _describe_width(width: int, raw: str) -> str:
    found = len(next(csv.reader([raw]), []))
    return f"expected {width} fields as in the header, found {found}"


def _read_csv_with_duckdb(path: Path, header: list[str]):
    """Parse the CSV with DuckDB's parallel reader; None when its line numbers would be wrong.

    DuckDB numbers rows, not lines. The two agree exactly when every row is on one line, which
    holds when the file has as many lines as the header, the rows read and the rows rejected
    together: otherwise (a value with a line break, blank lines) the careful reader is used.
    """
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")  # the command shows its own progress
        columns = "{" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in header) + "}"
        table = con.sql(
            f"""SELECT * FROM read_csv({quote_literal(path)}, header = true, auto_detect = false,
                   columns = {columns}, delim = ',', quote = '"', escape = '"',
                   max_line_size = {MAX_LINE_BYTES}, store_rejects = true, encoding = 'utf-8')"""
        ).to_arrow_table()
        rejects = con.execute(
            "SELECT line, error_type, csv_line, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    lines = count_lines(path)
    # DuckDB can report several errors for one row (one per missing column): keep the first.
    first_error = {}
    for line, kind, raw, message in rejects:
        first_error.setdefault(int(line), (kind, raw, message))
    # A line far too long for the reader (hundreds of MB) is left out without a reject.
    dropped = []
    if lines != 1 + table.num_rows + len(first_error):
        scan = scan_lines(path)
        dropped = [x for x in scan.long if x.line not in first_error]
        if scan.blank or lines != 1 + table.num_rows + len(first_error) + len(dropped):
            return None
    width = len(header)
    bad = [(x.line, too_long_reason(x.length), x.head) for x in dropped]
    for line, (kind, raw, message) in first_error.items():
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            reason = _describe_width(width, raw)
        elif kind == "INVALID ENCODING":
            reason = NOT_UTF8
        elif kind == "LINE SIZE OVER MAXIMUM":
            size = re.search(r"Actual Size:\s*(\d+)", message)
            reason, raw = too_long_reason(int(size[1]) if size else len(raw)), raw[:KEPT_CHARS]
        else:
            reason = f"could not be read as CSV: {message}"
        bad.append((line, reason, raw))
    bad.sort()
    refused = np.array([line for line, _, _ in bad], dtype=np.int64)
    good_lines = np.setdiff1d(np.arange(2, lines + 1), refused)
    return table.append_column("_line", pa.array(good_lines, pa.int64())), bad


def _read_csv_line_by_line(path: Path, header: list[str]):
    """Parse the CSV with Python's csv module, which knows where each row starts."""
    bad: list[tuple[int, str, str]] = []
    # Bytes that are not UTF-8 become U+FFFD, and their row is set apart (as DuckDB does).
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows, lines, last = [], [], 1
        width = len(header)
        for row in _rows_or_refuse(path, reader):
            start, last = last + 1, reader.line_num
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # blank line
                reason = f"expected {width} fields as in the header, found {len(row)}"
                bad.append((start, reason, csv_line(row)))
                continue
            if any("\ufffd" in cell for cell in row):
                bad.append((start, NOT_UTF8, csv_line(row)))
                continue
            rows.append(row)
            lines.append(start)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["_line"] = lines
    return frame, bad


def _rows_or_refuse(path: Path, reader) -> Iterator[list[str]]:
    """The rows of ``reader``, a value as long as DuckDB's reader takes included; a longer
    one refuses the file, naming the line, rather than losing the row."""
    limit = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        yield from reader
    except csv.Error as exc:
        raise MappingError(
            f"{path} line {reader.line_num}: cannot be read ({exc}): the file is damaged. Fix or "
            "remove that line (a police or force extract has no value that long) and load again."
        ) from None
    finally:
        csv.field_size_limit(limit)
