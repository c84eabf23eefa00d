"""The one way to put a name or a value into SQL text.

Values go in as parameters (``?`` or ``$name``) wherever DuckDB accepts them. Where it does
not (a column name from a mapping, a file path in ``read_csv``, a format list in a view
definition), the text is made here and nowhere else, so a column called ``soc sec`` or
``O'Brien's "id"`` is a name like any other, never a parser error or an injection.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def quote_identifier(name: str) -> str:
    """A column, table or view name as a DuckDB/PostgreSQL identifier: ``"name"``."""
    text = str(name)
    if "\x00" in text:
        raise ValueError(f"A name cannot hold a NUL character: {text!r}")
    return '"' + text.replace('"', '""') + '"'


def quote_literal(value: str | Path | float) -> str:
    """A value as an SQL string literal: ``'value'``. Prefer a parameter where one fits."""
    text = str(value)
    if "\x00" in text:
        raise ValueError(f"A value cannot hold a NUL character: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def literal_list(values: Iterable[str | Path | float]) -> str:
    """Several values as ``['a', 'b']`` (a DuckDB list of string literals)."""
    return "[" + ", ".join(quote_literal(v) for v in values) + "]"


def literal_tuple(values: Iterable[str | Path | float]) -> str:
    """Several values as ``('a', 'b')``, for ``IN``."""
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"
