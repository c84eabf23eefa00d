"""CSV lines as every loader counts and keeps them: how many lines a file has (line numbers are
what a user's editor shows), which of them are blank or too long to be a row, and a row
written back as a CSV line for the quarantine."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 1 << 24  # 16 MB: a large file is counted without holding it in memory

# The longest line a loader reads as a row (DuckDB's own default, given to read_csv so that
# the two agree). A police.uk row is a few hundred bytes: a longer line is a damaged file.
MAX_LINE_BYTES = 2_000_000
# How much of a line too long to read is kept in the quarantine: enough to find it.
KEPT_CHARS = 10_000


def too_long_reason(length: int) -> str:
    """Why a line too long to read is refused (one wording for every loader)."""
    return (
        f"line too long to be a row: {length:,} bytes, more than the {MAX_LINE_BYTES:,} a row "
        f"may have (only its first {KEPT_CHARS:,} characters are kept here); the file is damaged: "
        "fix or remove that line, or get the file again"
    )


@dataclass
class LongLine:
    """A line longer than ``MAX_LINE_BYTES``: its number, its length and its first characters."""

    line: int
    length: int  # bytes, without the line break
    head: str


@dataclass
class LineScan:
    """What ``scan_lines`` found: how many lines, which are blank, which too long."""

    lines: int
    blank: list[int] = field(default_factory=list)
    long: list[LongLine] = field(default_factory=list)


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


def scan_lines(path: Path | str, max_bytes: int = MAX_LINE_BYTES) -> LineScan:
    """Find a file's blank lines and lines longer than ``max_bytes``, numbered as an editor
    numbers them, reading it in chunks (a 200 MB line is never held whole)."""
    import numpy as np  # here: peel.sources is imported by every peel command

    scan = LineScan(lines=0)
    carry, head, last = 0, b"", b""  # the line being read: its length so far, its start, last byte
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
            if len(ends) == 0:
                carry, head, last = (
                    carry + len(chunk),
                    (head + chunk[:KEPT_CHARS])[:KEPT_CHARS],
                    chunk[-1:],
                )
                continue
            starts = np.concatenate(([0], ends[:-1] + 1))
            lengths = ends - starts
            lengths[0] += carry
            before = np.frombuffer(chunk, np.uint8)[np.maximum(ends - 1, 0)]
            carriage = (before == 13) & (ends > starts)
            carriage[0] |= ends[0] == 0 and last == b"\r"
            numbers = scan.lines + 1 + np.arange(len(ends))
            scan.blank += numbers[(lengths == 0) | ((lengths == 1) & carriage)].tolist()
            for i in np.flatnonzero(lengths > max_bytes):
                start = chunk[starts[i] : min(ends[i], starts[i] + KEPT_CHARS)]
                text = (head + start)[:KEPT_CHARS] if i == 0 else start
                scan.long.append(
                    LongLine(int(numbers[i]), int(lengths[i]), text.decode("utf-8", "replace"))
                )
            scan.lines += len(ends)
            tail = chunk[ends[-1] + 1 :]
            carry, head, last = len(tail), tail[:KEPT_CHARS], chunk[-1:]
    if carry:  # a last line without a line break
        scan.lines += 1
        if carry == 1 and head == b"\r":
            scan.blank.append(scan.lines)
        elif carry > max_bytes:
            scan.long.append(LongLine(scan.lines, carry, head.decode("utf-8", "replace")))
    return scan
