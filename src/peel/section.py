"""The contract every section of the meeting pack meets.

A domain declares the KINDS of section it can produce, in its ``section.py``: a
``SectionKind`` has a name (``crime_performance``), the parameters an agenda may give it
(each with its meaning and default), what data it needs, the day its data runs to, how it
builds its content for a month and parameters (reading only) and how it renders it. The
PCC's agenda (a YAML file, read by ``peel.pack.agenda``) names, for each item, a kind and
its parameters: that is a ``Section``. An item not built yet is a ``Placeholder`` that says
why. The pack, and the web app, call only these; they never reach into a domain's modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Parameter:
    """One parameter an agenda item may give a section kind."""

    name: str
    meaning: str  # said to whoever writes an agenda, in the docs and in errors
    default: Any = None
    # Checks a value against the warehouse (e.g. that a crime type is recorded); raises
    # ValueError saying what is expected. None: any value is taken as given.
    check: Callable[[Connection, Any], None] | None = None


@dataclass(frozen=True)
class SectionKind:
    name: str  # what an agenda file calls it, e.g. "crime_performance"
    domain: str  # the folder that declares it, e.g. "crime"; its measures are this domain's
    description: str  # one sentence for whoever writes an agenda
    needs: str  # the data it reads, said to the reader when none is loaded
    get_data_to: Callable[[Connection], date | None]  # the last day its data covers; None: no data
    # (warehouse, reporting month, **parameters[, as_of=day]) -> what render shows
    build: Callable[..., Any]
    render: Callable[[Any], str]  # built content -> an HTML fragment
    parameters: tuple[Parameter, ...] = ()

    def describe_parameters(self) -> str:
        """The parameters as an agenda's author reads them, for errors and docs."""
        if not self.parameters:
            return "no parameters"
        return "; ".join(f"{p.name} ({p.meaning}; default {p.default!r})" for p in self.parameters)


@dataclass(frozen=True)
class Section:
    """A kind with the parameters an agenda gave it: one section of the pack."""

    kind: SectionKind
    title: str
    params: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""  # where the agenda asked for it, for errors: "agenda.yaml, item 2"

    @property
    def domain(self) -> str:
        return self.kind.domain

    @property
    def needs(self) -> str:
        return self.kind.needs

    def arguments(self) -> dict[str, Any]:
        """Every parameter of the kind: as the agenda gave it, else its default."""
        return {p.name: self.params.get(p.name, p.default) for p in self.kind.parameters}

    def check(self, con: Connection) -> None:
        """Refuse, naming the agenda item, a parameter the warehouse cannot answer."""
        for parameter in self.kind.parameters:
            if parameter.check is None:
                continue
            try:
                parameter.check(con, self.arguments()[parameter.name])
            except ValueError as error:
                raise ValueError(f"{self.where}: {parameter.name}: {error}") from None

    def get_data_to(self, con: Connection) -> date | None:
        return self.kind.get_data_to(con)

    def build(self, con: Connection, month: date, as_of: date | None = None) -> Any:
        """The section's content for the month; with ``as_of``, nothing after that day counts."""
        return self.kind.build(con, month, **self.arguments(), **({"as_of": as_of} if as_of else {}))

    def render(self, built: Any) -> str:
        return self.kind.render(built)


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
