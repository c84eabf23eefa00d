"""Loading the force's workforce extracts through declared column mappings (the one mapping
language, docs/ingest.md): people (HR), leadership course bookings (learning), sickness
absence spells (HR), wellbeing service contacts, and which crimes had a police victim (from
the crime records system; the crimes and outcomes themselves load as every crime does).

Each extract is checked whole before anything is written: a row with an unknown rank or
grade, an unknown wellbeing service, a staff number the people extract does not hold, a date
no format fits, a missing id, or a line the reader cannot read refuses the whole file with
the refusal every extract loader gives (``ExtractRefused``): the file, each line at fault and
what it should hold, and what to do. A good extract is
its system's whole table: it replaces that source system's earlier rows, in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from peel.casebook import PURPOSE, Action, Operation, Request, processing
from peel.sources.mapped.batch import load_staged
from peel.sources.mapped.fields import field_date_sql, field_sql, text_sql
from peel.sources.mapped.files import read_extract
from peel.sources.mapped.mapping import FieldSet, Mapping, MappingError, read_mapping
from peel.warehouse import open_writer
from peel.warehouse.sql import quote_identifier, quote_literal

MAPPINGS = Path(__file__).resolve().parent / "mappings"
WORKFORCE_RECORD = "workforce_record"  # what a collection is logged as


@dataclass(frozen=True)
class ExtractKind:
    """One kind of workforce extract: its fields, its table, and how a row is checked."""

    fields: FieldSet
    table: str
    key: str | None  # the table's own key column (source system:record id); None: it has none
    required: tuple[str, ...]  # fields every row needs
    columns: dict[str, str]  # table column -> SQL over the staged row


STAFF = FieldSet("staff", ("rank_or_grade", "role", "team", "fte", "start_date", "leave_date"),
                 frozenset({"start_date", "leave_date"}), ("rank_or_grade",), "rank_or_grade")
COURSE = FieldSet("course", ("staff_id", "course", "booked_date", "course_date", "completed_date"),
                  frozenset({"booked_date", "course_date", "completed_date"}), ("staff_id",), "staff_id")
SICKNESS = FieldSet("sickness", ("staff_id", "start_date", "end_date", "reason"),
                    frozenset({"start_date", "end_date"}), ("staff_id",), "staff_id")
WELLBEING = FieldSet("wellbeing", ("staff_id", "service", "contact_date"),
                     frozenset({"contact_date"}), ("staff_id",), "staff_id")
# Which crimes had an officer or member of staff as victim (from the crime records system):
# the crime by its reference in the crimes loaded, and, when it closed with evidential
# difficulties, the Home Office outcome (14, 15 or 16) and the reason recorded.
ASSAULT = FieldSet("assault", ("crime_id", "staff_id", "victim_kind", "legislation", "ho_outcome_code",
                               "attrition_reason"), frozenset(), ("crime_id",), "crime_id")
VICTIM_KINDS = ("officer", "staff")
DIFFICULTIES_CODES = ("14", "15", "16")

KINDS: dict[str, ExtractKind] = {
    "staff": ExtractKind(STAFF, "staff_member", "staff_key",
                         ("rank_or_grade", "role", "team", "fte", "start_date"),
                         {"kind": "r.kind", "rank_or_grade": "s.rank_or_grade", "role": "s.role", "team": "s.team",
                          "fte": "s.fte_value", "start_date": "s.start_date", "leave_date": "s.leave_date"}),
    "course": ExtractKind(COURSE, "leadership_course", "booking_key", ("staff_id", "course", "booked_date"),
                          {"staff_key": "p.staff_key", "course": "s.course", "booked_date": "s.booked_date",
                           "course_date": "s.course_date", "completed_date": "s.completed_date"}),
    "sickness": ExtractKind(SICKNESS, "sickness_spell", "spell_key", ("staff_id", "start_date"),
                            {"staff_key": "p.staff_key", "start_date": "s.start_date", "end_date": "s.end_date",
                             "reason": "s.reason"}),
    "wellbeing": ExtractKind(WELLBEING, "wellbeing_contact", "contact_key", ("staff_id", "service", "contact_date"),
                             {"staff_key": "p.staff_key", "service": "s.service",
                              "contact_date": "s.contact_date"}),
    "assault": ExtractKind(ASSAULT, "staff_assault", None, ("crime_id", "victim_kind", "legislation"),
                           {"crime_key": "c.crime_key", "staff_key": "p.staff_key", "victim_kind": "s.victim_kind",
                            "legislation": "s.legislation", "ho_outcome_code": "s.ho_outcome_code",
                            "attrition_reason": "s.attrition_reason"}),
}


@cache
def read_reference(name: str) -> pd.DataFrame:
    """A reference file of the workforce folder (ranks.csv, services.csv)."""
    with (resources.files("peel.workforce") / name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", keep_default_na=False, na_values=[])


def read_workforce_mapping(path: Path | str, kind: str) -> Mapping:
    """A workforce extract's mapping, checked (``MappingError`` says what to fix)."""
    if kind not in KINDS:
        raise MappingError(f"Unknown workforce extract kind {kind!r}: expected one of {', '.join(KINDS)}.")
    m = read_mapping(path, KINDS[kind].fields)
    if not m.source_system:
        raise MappingError(f"{m.path}: 'source_system' is required to load an extract (e.g. hr).")
    return m


def load_workforce_extract(con: duckdb.DuckDBPyConnection, path: Path | str, mapping: Path | str | Mapping,
                           kind: str, name: str | None = None) -> dict:
    """Check the whole extract, then replace its system's rows of that kind in one batch;
    return what was loaded. Any bad row refuses the file and writes nothing."""
    path = Path(path)
    m = mapping if isinstance(mapping, Mapping) else read_workforce_mapping(mapping, kind)
    spec = KINDS[kind]
    extract = read_extract(path, m)
    shown = name or str(path)
    with load_staged(con, extract, source_system=m.source_system, file=shown, staged="workforce_rows",
                     stage_sql=_stage_sql(m, spec, kind),
                     note=f"workforce {kind} extract via mapping {m.path.name}",
                     references={"_workforce_ranks": read_reference("ranks.csv")}) as batch:
        con.execute(f"DELETE FROM {quote_identifier(spec.table)} WHERE source_system = ?", [m.source_system])
        columns = ([spec.key] if spec.key else []) + ["source_system", "source_record_id", "batch_id"]
        values = ([f"{quote_literal(m.source_system + ':')} || s.record_id"] if spec.key else []) + [
            quote_literal(m.source_system), "s.record_id", str(batch.batch_id)]
        con.execute(
            f"""INSERT INTO {quote_identifier(spec.table)}
                ({', '.join(quote_identifier(c) for c in columns + list(spec.columns))})
                SELECT {', '.join(values + list(spec.columns.values()))}
                FROM workforce_rows s {_joins(kind)}""")
    return {"source_system": m.source_system, "file": shown, "kind": kind, "table": spec.table,
            "batch_id": batch.batch_id, "rows_loaded": batch.rows_loaded}


def _joins(kind: str) -> str:
    if kind == "staff":
        return "JOIN _workforce_ranks r ON r.rank_or_grade = s.rank_or_grade"
    if kind == "assault":  # the victim is named where the record names them
        return ("JOIN crime c ON c.source_record_id = s.crime_id "
                "LEFT JOIN staff_member p ON p.source_record_id = s.staff_id")
    return "JOIN staff_member p ON p.source_record_id = s.staff_id"


def _stage_sql(m: Mapping, spec: ExtractKind, kind: str) -> str:
    """SQL: every row's fields as text or dates (each also as written), its line, and why it
    cannot be loaded (the first reason that applies)."""
    missing = [name for name in spec.required if name not in m.fields]
    if missing:
        raise MappingError(f"{m.path}: {spec.fields.section} must map {', '.join(missing)}.")
    fields = []
    for name in spec.fields.names:
        fields.append(f"{text_sql(m.fields.get(name))} AS {name}_written")
        if name in spec.fields.dates:
            fields.append(f"{field_date_sql(m, name, set())} AS {name}")
            fields.append(f"{field_sql(m, name)} AS {name}_text")
        else:
            fields.append(f"{field_sql(m, name)} AS {name}")
    record_id = f"NULLIF(trim(CAST(src.{quote_identifier(m.record_id)} AS VARCHAR)), '')"
    checks = [("record_id IS NULL", _says(f"no record id in column {m.record_id}")),
              ("count(*) OVER (PARTITION BY record_id ORDER BY line) > 1", _says("record id repeats an earlier row"))]
    for name in sorted(spec.fields.dates & set(m.fields)):
        checks.append((f"{name}_text IS NOT NULL AND {name} IS NULL",
                       _says(f"{name} is not a date in the formats {', '.join(m.date_formats)}")))
    for name in sorted(m.values):  # a code the mapping's values do not list
        checks.append((f"{name}_written IS NOT NULL AND {name} IS NULL",
                       _says(f"unknown {name.replace('_', ' ')} ", f"{name}_written",
                             " (not a code listed under the mapping's values)")))
    checks += _kind_checks(kind)
    checks += [(f"{name} IS NULL", _says(f"no {name} (column {', '.join(m.fields[name])})"))
               for name in spec.required]
    reason = "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in checks) + " END"
    staged = f"""SELECT {record_id} AS record_id, src._line AS line, {', '.join(fields)} FROM src"""
    extra = "TRY_CAST(fte AS DOUBLE) AS fte_value" if kind == "staff" else "NULL AS fte_value"
    return f"""WITH staged AS ({staged}), typed AS (SELECT *, {extra} FROM staged)
               SELECT *, {reason} AS refusal FROM typed"""


def _says(text: str, written: str | None = None, after: str = "") -> str:
    """SQL for a refusal's reason: ``text``, then the value as written in quotes, then ``after``."""
    if written is None:
        return quote_literal(text)
    return f"{quote_literal(text)} || chr(39) || {written} || chr(39) || {quote_literal(after)}"


def _kind_checks(kind: str) -> list[tuple[str, str]]:
    ranks = read_reference("ranks.csv")["rank_or_grade"].tolist()
    services = read_reference("services.csv")["service"].tolist()
    if kind == "staff":
        known = ", ".join(quote_literal(r) for r in ranks)
        return [(f"rank_or_grade NOT IN ({known})",
                 _says("unknown rank or grade ", "rank_or_grade",
                       f" (expected one of: {'; '.join(ranks)}, or a code the mapping's values turn into one)")),
                ("fte_value IS NULL OR fte_value <= 0 OR fte_value > 1", _says("FTE must be a number above 0 and at most 1")),
                ("leave_date < start_date", _says("leaves before joining"))]
    checks = [("staff_id NOT IN (SELECT source_record_id FROM staff_member)",
               _says("staff number ", "staff_id", " is not in the people (HR) extract loaded: load that first"))]
    if kind == "assault":
        checks.append(("crime_id NOT IN (SELECT source_record_id FROM crime)",
                       _says("crime ", "crime_id", " is not in the crimes loaded: load the crime records first")))
        checks.append(("crime_id IN (SELECT source_record_id FROM crime GROUP BY 1 HAVING count(*) > 1)",
                       _says("crime ", "crime_id", " names crimes of more than one system")))
        checks.append((f"victim_kind NOT IN ({', '.join(quote_literal(v) for v in VICTIM_KINDS)})",
                       _says("unknown victim kind ", "victim_kind", f" (expected {' or '.join(VICTIM_KINDS)})")))
        checks.append((f"ho_outcome_code NOT IN ({', '.join(quote_literal(c) for c in DIFFICULTIES_CODES)})",
                       _says("Home Office outcome ", "ho_outcome_code",
                             f" is not one of evidential difficulties ({', '.join(DIFFICULTIES_CODES)})")))
    if kind == "wellbeing":
        known = ", ".join(quote_literal(s) for s in services)
        checks.append((f"service NOT IN ({known})",
                       _says("unknown wellbeing service ", "service", f" (expected one of: {'; '.join(services)})")))
    if kind == "sickness":
        checks.append(("end_date < start_date", _says("absence ends before it starts")))
    if kind == "course":
        courses = sorted({c for c in read_reference("ranks.csv")["course"] if c})
        known = ", ".join(quote_literal(c) for c in courses)
        checks.append((f"course NOT IN ({known})",
                       _says("unknown leadership course ", "course", f" (expected one of: {'; '.join(courses)})")))
        checks.append(("completed_date < course_date", _says("completed before the course started")))
    return checks


def collect_workforce_extract(path: Path | str, mapping: Path | str, kind: str, *, acting: str | None,
                              purpose: str | None) -> dict:
    """``load_workforce_extract`` into a new generation of the warehouse, as the collection of
    personal data it is (DPA 2018 s62): refused, and the refusal logged, unless ``acting`` may
    collect workforce records and says why; the load logged with its batch and row count."""
    request = Request(Action.COLLECT, WORKFORCE_RECORD, domain="workforce", purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COLLECTION) as touched, open_writer() as con:
        result = load_workforce_extract(con, path, mapping, kind)
        touched.update({key: result[key] for key in ("batch_id", "source_system", "rows_loaded", "table")},
                       file=str(path))
    return result
