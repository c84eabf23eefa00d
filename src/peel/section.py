"""The contract every agenda item's section of the meeting pack meets.

A domain declares one ``Section`` in its ``section.py``: its title, what data it needs, the
day its data runs to, how it builds its content (reading only) and how it renders it. The
pack's agenda (``peel.pack.agenda``) lists the sections in meeting order; an item not built
yet is a ``Placeholder`` that says why. The pack, and later the web app, call only these;
they never reach into a domain's modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Section:
    domain: str  # the folder that declares it, e.g. "crime"; its measures are this domain's
    title: str  # the agenda item's heading in the pack
    needs: str  # the data it reads, said to the reader when none is loaded
    get_data_to: Callable[[Connection], date | None]  # the last day its data covers; None: no data
    build: Callable[[Connection, date], Any]  # (warehouse, reporting month) -> what render shows
    render: Callable[[Any], str]  # built content -> an HTML fragment


@dataclass(frozen=True)
class Placeholder:
    """An agenda item peel does not produce yet, and why."""

    title: str
    reason: str
    domain: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    """One item of the meeting's agenda: usually one section, sometimes several (item 5, the
    use of AI, will hold linkage, Clare's Law, intelligence and control-room sections)."""

    title: str
    sections: list[Section | Placeholder] = field(default_factory=list)
