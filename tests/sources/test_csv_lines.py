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
