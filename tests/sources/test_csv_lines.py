"""CSV lines as the loaders count and keep them."""

import pytest

from peel.sources import csv_lines
from peel.sources.csv_lines import count_lines


@pytest.mark.parametrize(
    "data, lines",
    [(b"", 0), (b"a\n", 1), (b"a\nb", 2), (b"a\n\nb\n", 3), (b"a\r\nb\r\n", 2)],
)
def test_count_lines_counts_as_an_editor_numbers(tmp_path, data, lines):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert count_lines(path) == lines


def test_count_lines_counts_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_lines, "CHUNK_BYTES", 3)
    path = tmp_path / "f.csv"
    path.write_bytes(b"ab\ncd\nef\n\ngh")
    assert count_lines(path) == 5


def test_scan_lines_finds_blank_and_too_long_lines_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_lines, "CHUNK_BYTES", 4)
    monkeypatch.setattr(csv_lines, "KEPT_CHARS", 3)
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n\r\n1234567,x\n\nok\n123456")
    scan = csv_lines.scan_lines(path, max_bytes=5)
    assert scan.lines == 6
    assert scan.blank == [2, 4]
    assert [(x.line, x.length, x.head) for x in scan.long] == [(3, 9, "123"), (6, 6, "123")]


def test_too_long_reason_names_the_length_and_the_limit():
    reason = csv_lines.too_long_reason(3_000_084)
    assert "3,000,084 bytes" in reason and f"{csv_lines.MAX_LINE_BYTES:,}" in reason
