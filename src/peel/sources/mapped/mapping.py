"""The mapping language: one small YAML file per extract saying which of its columns hold
which fields, how it writes dates and what its codes mean.

Every extract peel reads through a mapping speaks it: a force's person extracts loaded
into the warehouse (``peel ingest mapped``), files linked outside it (``peel link file``)
and the extracts to come (deployments, certificates, workforce, calls), each with its own
set of fields (a ``FieldSet``; persons are the first). docs/ingest.md ("The mapping
language") describes it for users; ``read_mapping`` checks a file against it and says what
to fix. What it looks like (``mappings/demo_*.yaml`` are complete examples)::

    source_system: demo_custody      # the system the extract comes from (to load it)
    record_id: CustodyNo             # the column holding each record's id in that system
    date_formats: ["%d/%m/%Y"]       # tried in order; without it, ISO then UK day-first
    encoding: latin-1                # how a CSV's text is written; without it, UTF-8
    person:                          # field: column, or a list of columns joined by a space
      surname: Surname
      forenames: Forename
      street: [Address1, Address2]
      date_of_birth: DateOfBirth
      sex: Gender
    values:                          # what the source's codes mean; unlisted codes: unknown
      sex: {Male: M, Female: F}
    exact: [NINumber]                # other identifiers, compared exactly when linking

Loading into the warehouse also reads ``role``, ``event`` and ``vehicles`` (what each row
is about); linking ignores them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from peel.sources.mapped.shapes import find_misshapen


class MappingError(ValueError):
    """A mapping file, or the extract it describes, cannot be used: the message says why."""


# The one date rule: a date written as text is read with the mapping's date_formats, tried
# in order; without them, ISO first, then UK day-first (a UK force never means 03/04/1990
# as the 4th of March). A date the formats do not fit is left empty, never guessed.
DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
    "%d/%m/%y",
)


@dataclass(frozen=True)
class FieldSet:
    """The fields one kind of extract maps, under one key of its mapping."""

    section: str  # the mapping's key holding field: column(s), e.g. 'person'
    names: tuple[str, ...]
    dates: frozenset[str] = frozenset()  # fields read as dates (by date_formats)
    # A mapping must name at least one of these, said so as: '<section> needs <what>'.
    needs_one_of: tuple[str, ...] = ()
    needs_what: str = ""
    # (field, its parts): a source writes the field whole or in parts, never both.
    whole_or_parts: tuple[tuple[str, frozenset[str]], ...] = ()


PERSON = FieldSet(
    section="person",
    names=(
        "forename",
        "middle_names",
        "forenames",  # forename and middle names in one column
        "surname",
        "full_name",  # 'SURNAME, Forename Middle' or 'Forename Middle Surname'
        "date_of_birth",
        "sex",
        "house_number",
        "street",  # the street line, a leading house number allowed
        "town",
        "postcode",
        "address",  # one line: '12 Acacia Road, Town, CK4 7QT' (parts optional)
        "phone",
        "email",
        "pnc_id",
        "recorded_date",
    ),
    dates=frozenset({"date_of_birth", "recorded_date"}),
    needs_one_of=("surname", "forename", "forenames", "full_name"),
    needs_what="a name: surname, forename(s) or full_name",
    whole_or_parts=(
        ("full_name", frozenset({"surname", "forename", "forenames", "middle_names"})),
        ("forenames", frozenset({"forename", "middle_names"})),
        ("address", frozenset({"house_number", "street", "town", "postcode"})),
    ),
)
PERSON_FIELDS = PERSON.names

# The keys `peel link file` mappings used before there was one language, and what they are
# now. They are translated as the file is read, so those files keep working.
OLD_LINKAGE_KEYS = {"id": "record_id", "fields": "person", "date_format": "date_formats"}
# An old linkage 'address' was the street line (FEBRL's address_1 and address_2).
OLD_LINKAGE_FIELDS = {"address": "street"}

EVENT_KINDS = {"crime", "arrest", "event"}
EVENT_FIELDS = {"event_date", "district_code", "lsoa_code", "category", "summary"}
# These become parts of record keys: keep them to plain characters.
PLAIN = re.compile(r"[A-Za-z0-9_.:;/ -]*")


@dataclass
class Mapping:
    """An extract's declared mapping (one YAML file), checked."""

    path: Path
    record_id: str
    fields: dict[str, list[str]]  # field -> the column(s) holding it
    date_formats: list[str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    exact: list[str] = field(default_factory=list)
    source_system: str | None = None
    role_column: str | None = None
    role_values: dict[str, str] = field(default_factory=dict)
    role_constant: str | None = None
    event: dict | None = None
    vehicles: dict | None = None
    old_keys: list[str] = field(default_factory=list)  # old linkage keys it used, translated
    field_set: FieldSet = PERSON  # what its fields are
    encoding: str = "utf-8"  # a CSV's text encoding (Python's codec name, normalised)

    def columns(self) -> dict[str, str]:
        """Every column the mapping reads, with what it is read for."""
        need = {self.record_id: "record_id"}
        for name, columns in self.fields.items():
            need.update({col: f"{self.field_set.section}.{name}" for col in columns})
        need.update({col: "exact" for col in self.exact})
        if self.role_column:
            need[self.role_column] = "role"
        if self.event:
            need[self.event["column"]] = "event.column"
            need.update(
                {col: f"event.fields.{name}" for name, col in self.event.get("fields", {}).items()}
            )
        if self.vehicles:
            need[self.vehicles["column"]] = "vehicles.column"
        return need


def read_mapping(path: Path | str, fields: FieldSet = PERSON) -> Mapping:
    """Read and check a mapping file; a bad one raises MappingError saying what to fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        misshapen = find_misshapen(path, text, fields.section)
    except FileNotFoundError:
        raise MappingError(f"{path}: mapping file not found.") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc}") from None
    if misshapen:
        raise MappingError(misshapen)
    if not isinstance(raw, dict):
        raise MappingError(
            f"{path}: expected a YAML mapping with record_id and {fields.section} "
            "(see docs/ingest.md, 'The mapping language')"
        )
    raw, old_keys = _translate_old_keys(path, raw)
    for key in ("record_id", fields.section):
        if not raw.get(key):
            raise MappingError(f"{path}: '{key}' is required")
    mapped = _read_fields(path, raw[fields.section], fields)
    values = _read_values(path, raw.get("values"), mapped, fields)
    event = _read_event(path, raw.get("event"))
    vehicles = raw.get("vehicles")
    if vehicles is not None and not (vehicles or {}).get("column"):
        raise MappingError(f"{path}: vehicles needs column (and optionally separator)")
    role = raw.get("role")
    if isinstance(role, dict) and not role.get("column"):
        raise MappingError(f"{path}: role needs column (and values), or is one word (e.g. victim)")
    plain = [
        ("source_system", raw.get("source_system") or ""),
        ("event.key_prefix", (event or {}).get("key_prefix", "")),
        ("event.event_type", (event or {}).get("event_type", "")),
        ("vehicles.separator", (vehicles or {}).get("separator", ";")),
    ]
    for name, value in plain:
        if not PLAIN.fullmatch(str(value)):
            raise MappingError(
                f"{path}: {name} {value!r} may hold only letters, digits and _ . : ; / -"
            )
    return Mapping(
        path=path,
        record_id=str(raw["record_id"]),
        fields=mapped,
        date_formats=_read_date_formats(path, raw.get("date_formats")),
        values=values,
        exact=_column_list(path, "exact", raw["exact"]) if raw.get("exact") else [],
        source_system=raw.get("source_system"),
        role_column=role.get("column") if isinstance(role, dict) else None,
        role_values=dict(role.get("values") or {}) if isinstance(role, dict) else {},
        role_constant=role if isinstance(role, str) else None,
        event=event,
        vehicles=vehicles,
        old_keys=old_keys,
        field_set=fields,
        encoding=_read_encoding(path, raw.get("encoding")),
    )


def check_for_ingest(m: Mapping) -> None:
    """Refuse a mapping that lacks what loading into the warehouse needs."""
    if not m.source_system:
        raise MappingError(
            f"{m.path}: 'source_system' is required to load an extract into the warehouse: "
            "the name of the system it comes from (e.g. custody), kept on every record"
        )
    if m.role_column is None and m.role_constant is None:
        raise MappingError(
            f"{m.path}: 'role' is required to load an extract into the warehouse: a constant "
            "(e.g. victim) or {column:, values:}"
        )


def _translate_old_keys(path: Path, raw: dict) -> tuple[dict, list[str]]:
    """A mapping written with the old `peel link file` keys, in the mapping language."""
    old = [key for key in OLD_LINKAGE_KEYS if key in raw]
    if not old:
        return raw, []
    both = [key for key in old if OLD_LINKAGE_KEYS[key] in raw]
    if both:
        pairs = ", ".join(f"'{key}' and '{OLD_LINKAGE_KEYS[key]}'" for key in both)
        raise MappingError(
            f"{path}: {pairs} say the same thing: keep only "
            f"{', '.join(repr(OLD_LINKAGE_KEYS[key]) for key in both)}"
        )
    new = {OLD_LINKAGE_KEYS.get(key, key): value for key, value in raw.items()}
    if isinstance(new.get("person"), dict):
        new["person"] = {OLD_LINKAGE_FIELDS.get(k, k): v for k, v in new["person"].items()}
    if isinstance(new.get("date_formats"), str):
        new["date_formats"] = [new["date_formats"]]
    return new, old


def _column_list(path: Path, name: str, value) -> list[str]:
    columns = [value] if isinstance(value, str) else value
    if not isinstance(columns, list) or not columns:
        columns = [None]
    if not all(isinstance(col, str) and col for col in columns):
        raise MappingError(
            f"{path}: {name} must name one column of the file (or a list of columns); "
            f"found {value!r}"
        )
    return list(columns)


def _read_fields(path: Path, section, fields: FieldSet) -> dict[str, list[str]]:
    if not isinstance(section, dict):
        raise MappingError(f"{path}: '{fields.section}' must map each field to a column")
    unknown = set(section) - set(fields.names)
    if unknown:
        raise MappingError(
            f"{path}: unknown {fields.section} field(s) {sorted(unknown)}; "
            f"expected some of {sorted(fields.names)}"
        )
    mapped = {
        name: _column_list(path, f"{fields.section}.{name}", cols) for name, cols in section.items()
    }
    if fields.needs_one_of and not mapped.keys() & set(fields.needs_one_of):
        raise MappingError(f"{path}: {fields.section} needs {fields.needs_what}")
    for whole, parts in fields.whole_or_parts:
        if whole in mapped and mapped.keys() & parts:
            raise MappingError(
                f"{path}: {fields.section}.{whole} cannot be mapped with "
                f"{sorted(mapped.keys() & parts)}: choose one way the source writes it"
            )
    return mapped


def _read_values(path: Path, values, mapped: dict, fields: FieldSet) -> dict[str, dict[str, str]]:
    if not values:
        return {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise MappingError(f"{path}: values must map a field to {{written: meant}} pairs")
    unmapped = sorted(set(values) - set(mapped))
    if unmapped:
        raise MappingError(
            f"{path}: values given for {unmapped}, which {fields.section} does not map"
        )
    return {name: {str(k): str(v) for k, v in codes.items()} for name, codes in values.items()}


def _read_event(path: Path, event) -> dict | None:
    if event is None:
        return None
    if (
        not isinstance(event, dict)
        or event.get("kind") not in EVENT_KINDS
        or not event.get("column")
    ):
        raise MappingError(f"{path}: event needs kind (one of {sorted(EVENT_KINDS)}) and column")
    if event["kind"] == "event" and not event.get("event_type"):
        raise MappingError(f"{path}: event of kind 'event' needs event_type (e.g. incident)")
    bad = set(event.get("fields", {})) - EVENT_FIELDS
    if bad:
        raise MappingError(
            f"{path}: unknown event field(s) {sorted(bad)}; expected some of {sorted(EVENT_FIELDS)}"
        )
    return event


def _read_encoding(path: Path, encoding) -> str:
    if encoding is None:
        return "utf-8"
    try:
        return codecs.lookup(str(encoding)).name
    except LookupError:
        raise MappingError(
            f"{path}: encoding {encoding!r} is not a text encoding Python knows; "
            "use e.g. utf-8, latin-1 or cp1252"
        ) from None


def _read_date_formats(path: Path, formats) -> list[str]:
    if not formats:
        return list(DEFAULT_DATE_FORMATS)
    formats = [str(f) for f in (formats if isinstance(formats, list) else [formats])]
    with duckdb.connect() as check:
        for fmt in formats:
            try:
                check.execute("SELECT try_strptime('2000-01-01', ?)", [fmt])
            except duckdb.Error as exc:
                raise MappingError(
                    f"{path}: date format {fmt!r} is not a strptime format (e.g. %d/%m/%Y): {exc}"
                ) from None
    return formats
