"""CSV lines as every loader counts and keeps them: how many lines a file has (line numbers are
what a user's editor shows), and a row written back as a CSV line for the quarantine."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

CHUNK_BYTES = 1 << 24  # 16 MB: a large file is counted without holding it in memory


def count_lines(path: Path | str) -> int:
    """Count a file's lines as an editor numbers them: a last line without a line break counts."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def csv_line(row: Iterable[str]) -> str:
    """A row as a CSV line (no line break), quoted where a value needs it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


def csv_line_sql(values: Iterable[str]) -> str:
    """SQL building the same line as ``csv_line`` from SQL text ``values`` (NULL as empty)."""
    parts = [
        f"""CASE WHEN {v} IS NULL THEN '' WHEN regexp_matches({v}, '[",\\n\\r]')
            THEN '"' || replace({v}, '"', '""') || '"' ELSE {v} END"""
        for v in values
    ]
    return "array_to_string([" + ", ".join(parts) + "], ',')"
