"""The meeting's agenda: the one place where the kinds of section the pack can hold are
registered, and where the PCC's agenda file is read and checked.

An agenda file (YAML; ``default_agenda.yaml`` is the seed meeting's, used when ``peel pack``
is given none) lists the items in meeting order. Each item has a ``title`` and either a
section ``kind`` with that kind's parameters, or ``planned`` (why it is not available yet),
or ``sections``, a list of those. A mistake (an unknown kind or parameter) is refused with
the file, the item and what is expected; a parameter the warehouse cannot answer (a crime
type it does not record) is refused the same way when the pack is built (``check_agenda``).

Adding a kind of section: give its domain folder a ``section.py`` declaring a
``SectionKind`` (see ``peel.section``) and add one line to ``KINDS`` below. Nothing else in
the pack changes.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from peel.control_room.section import KIND as CONTROL_ROOM_RESOURCES
from peel.crime.section import KIND as CRIME_PERFORMANCE
from peel.dvds.section import KIND as CLARES_LAW
from peel.firearms.section import KIND as FIREARMS_LICENSING
from peel.lfr.section import KIND as LFR_GOVERNANCE
from peel.oversight.section import KIND as AI_OVERSIGHT
from peel.section import AgendaItem, Connection, Placeholder, Section, SectionKind
from peel.workforce.section import KIND as LEADERSHIP_WELLBEING

KINDS: dict[str, SectionKind] = {
    CRIME_PERFORMANCE.name: CRIME_PERFORMANCE,
    LFR_GOVERNANCE.name: LFR_GOVERNANCE,
    CLARES_LAW.name: CLARES_LAW,
    CONTROL_ROOM_RESOURCES.name: CONTROL_ROOM_RESOURCES,
    FIREARMS_LICENSING.name: FIREARMS_LICENSING,
    LEADERSHIP_WELLBEING.name: LEADERSHIP_WELLBEING,
    AI_OVERSIGHT.name: AI_OVERSIGHT,
}

DEFAULT_AGENDA_NAME = "the default agenda (peel/pack/default_agenda.yaml)"
PLANNED_KEYS = {"title", "planned", "domain"}


class AgendaError(ValueError):
    """An agenda file that cannot be followed: says where, and what is expected."""


def read_agenda(path: Path | None = None) -> list[AgendaItem]:
    """The agenda in ``path`` (default: the seed meeting's), its kinds and parameters checked."""
    if path is None:
        name, text = DEFAULT_AGENDA_NAME, (resources.files("peel.pack") / "default_agenda.yaml").read_text("utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise AgendaError(f"Cannot read the agenda {name}: {error.strerror}.") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AgendaError(f"{name} is not valid YAML: {error}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not raw["items"]:
        raise AgendaError(f"{name}: expected 'items:', a list of agenda items, each with a 'title' and a "
                          f"'kind' (one of: {', '.join(KINDS)}), 'planned' or 'sections'.")
    return [_read_item(f"{name}, item {number}", spec) for number, spec in enumerate(raw["items"], 1)]


def _read_item(where: str, spec: Any) -> AgendaItem:
    if not isinstance(spec, dict) or not isinstance(spec.get("title"), str) or not spec["title"].strip():
        raise AgendaError(f"{where}: expected a 'title' (text) with a 'kind', 'planned' or 'sections'.")
    title = spec["title"].strip()
    where = f"{where} ({title})"
    if "sections" not in spec:
        return AgendaItem(title, [_read_section(where, spec, title)])
    sections, others = spec["sections"], sorted(set(spec) - {"title", "sections"})
    if others or not isinstance(sections, list) or not sections:
        raise AgendaError(f"{where}: 'sections' must be a non-empty list, and then the item has only a "
                          f"'title' besides{f' (not {others})' if others else ''}.")
    return AgendaItem(title, [_read_section(f"{where}, section {n}", s, title) for n, s in enumerate(sections, 1)])


def _read_section(where: str, spec: Any, default_title: str) -> Section | Placeholder:
    if not isinstance(spec, dict):
        raise AgendaError(f"{where}: expected a 'kind' with its parameters, or 'planned'.")
    title = str(spec.get("title", default_title))
    if "planned" in spec:
        others = sorted(set(spec) - PLANNED_KEYS)
        if others:
            raise AgendaError(f"{where}: a planned section has only 'planned', 'domain' and 'title', not {others}.")
        return Placeholder(title, str(spec["planned"]), spec.get("domain"))
    kind = KINDS.get(spec.get("kind"))
    if kind is None:
        raise AgendaError(f"{where}: unknown section kind {spec.get('kind')!r}. Expected 'kind:' one of: "
                          + "; ".join(f"{k.name} ({k.describe_parameters()})" for k in KINDS.values())
                          + "; or 'planned: WHY' for a section peel does not produce yet.")
    params = {key: value for key, value in spec.items() if key not in ("kind", "title")}
    unknown = sorted(set(params) - {p.name for p in kind.parameters})
    if unknown:
        raise AgendaError(f"{where}: {kind.name} takes no parameter {', '.join(unknown)}. "
                          f"Its parameters: {kind.describe_parameters()}.")
    return Section(kind, title, params, where)


def check_agenda(con: Connection, agenda: list[AgendaItem]) -> None:
    """Refuse, naming the item, a parameter the warehouse cannot answer, before any building.
    Sections without data are not checked: the pack says what they need instead."""
    for item in agenda:
        for part in item.sections:
            if isinstance(part, Section) and part.get_data_to(con) is not None:
                try:
                    part.check(con)
                except ValueError as error:
                    raise AgendaError(str(error)) from None
