"""What a pack is about, as an analyst names it: a person (``entity:87``, or a name and date of
birth: ``"Kate HOPKINS, 1990-03-12"``, resolved to the linkage entity holding records with
both), an address (``"CK1 5JP / 63"``: postcode / house number, as linkage keys addresses),
a vehicle (``AB12 CDE``) or a phone (``07700 900123``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import phonenumbers

from peel.intel.mining import POSTCODE_PARTS, VRM
from peel.linkage.warehouse_run import latest_run_id


class SubjectNotFound(ValueError):
    """The subject cannot be found, or is not one person: says what to give instead."""


@dataclass(frozen=True)
class Subject:
    kind: str  # 'person', 'address', 'vehicle', 'phone'
    value: str  # entity id, address key, mark without spaces, phone 07...
    run_id: int | None = None
    entity_id: int | None = None

    @property
    def ref(self) -> str:
        """The audit log's subject reference."""
        return f"entity:{self.entity_id}" if self.kind == "person" else f"{self.kind}:{self.value}"


NAME_AND_BIRTH = re.compile(r"^\s*(?P<name>[^,]+),\s*(?P<dob>\d{4}-\d{2}-\d{2})\s*$")
ADDRESS = re.compile(rf"^\s*{POSTCODE_PARTS}\s*/\s*(?P<house>\S+)\s*$")


def resolve_subject(con: duckdb.DuckDBPyConnection, text: str) -> Subject:
    """The subject ``text`` names; ``SubjectNotFound`` saying what to give when it names none."""
    upper = text.strip().upper()
    if m := re.fullmatch(r"(?:ENTITY:)?(\d+)", upper):
        return _entity(con, int(m.group(1)))
    if m := NAME_AND_BIRTH.match(text):
        return _by_name(con, m.group("name"), m.group("dob"))
    if m := ADDRESS.match(upper):
        return Subject("address", f"{m.group(1)} {m.group(2)} / {m.group('house')}")
    if VRM.fullmatch(upper):
        return Subject("vehicle", upper.replace(" ", ""))
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number and phonenumbers.is_possible_number(number) and number.country_code == 44:
        return Subject("phone", f"0{number.national_number}")
    raise SubjectNotFound(
        f"Cannot tell what {text!r} is. Give an entity (entity:87), a name and date of birth "
        "(\"Kate HOPKINS, 1990-03-12\"), an address (\"CK1 5JP / 63\"), a vehicle (AB12 CDE) or a phone.")


def _latest_run(con) -> int:
    run = latest_run_id(con)
    if run is None:
        raise SubjectNotFound("The warehouse has no linkage run, so no persons to build a pack on: "
                              "run `peel link` (or `peel demo-link`) first.")
    return run


def _entity(con, entity_id: int) -> Subject:
    run = _latest_run(con)
    if not con.execute("SELECT count(*) FROM linkage_entity WHERE run_id = ? AND entity_id = ?",
                       [run, entity_id]).fetchall()[0][0]:
        raise SubjectNotFound(f"There is no entity {entity_id} in linkage run {run}.")
    return Subject("person", str(entity_id), run, entity_id)


def _by_name(con, name: str, dob: str) -> Subject:
    run = _latest_run(con)
    words = name.upper().split()
    if len(words) < 2:
        raise SubjectNotFound("Give a forename and a surname with the date of birth: \"Kate HOPKINS, 1990-03-12\".")
    entities = [e for (e,) in con.execute(
        "SELECT DISTINCT e.entity_id FROM person_record p JOIN linkage_entity e ON e.record_key = "
        "p.record_key AND e.run_id = ? WHERE upper(p.forename) = ? AND upper(p.surname) = ? "
        "AND p.date_of_birth = ? ORDER BY 1", [run, words[0], words[-1], date.fromisoformat(dob)]).fetchall()]
    if not entities:
        raise SubjectNotFound(f"No person record names {name} born {dob}. `peel link match` finds "
                              "records that are probably that person, with their entity.")
    if len(entities) > 1:
        raise SubjectNotFound(f"{name} born {dob} is in {len(entities)} entities ("
                              + ", ".join(f"entity:{e}" for e in entities) + "): name one of them.")
    return Subject("person", str(entities[0]), run, entities[0])
