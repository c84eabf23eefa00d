"""Loading a force's public-protection extract of Clare's Law applications into the warehouse
(``dvds_application``, which the figures and the Home Office return count) through the declared
mapping language (peel.sources.mapped; docs/ingest.md and docs/dvds.md), all or nothing.

Every row is checked before anything is written: an application about a person the warehouse
does not hold, a stage (the disclosure above all) dated before the application, a duplicate
case (the same person, route and day of first contact as another row, or as an application
already loaded), an unknown route or decision, a date no format fits. One bad row refuses the
file with ``ApplicationsRefused``, naming the file, each bad line and what was expected;
nothing is written. A good file replaces the source's rows with the same ids, in one batch.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from peel.casebook import PURPOSE, Action, Operation, Request, processing
from peel.dvds.cases import DOMAIN, ROUTES
from peel.sources.mapped.batch import ExtractRefused, load_staged
from peel.sources.mapped.fields import field_date_sql, field_sql, text_sql
from peel.sources.mapped.files import read_extract
from peel.sources.mapped.mapping import FieldSet, Mapping, MappingError, read_mapping
from peel.warehouse import open_writer
from peel.warehouse.sql import quote_identifier, quote_literal

MAPPINGS = Path(__file__).resolve().parent / "mappings"
STAGE_DATES = ("checks_done", "face_to_face", "risk_assessed", "decided", "disclosed", "safety_plan", "closed")
APPLICATION = FieldSet(
    "application",
    ("subject", "route", "origin", "district_code", "first_contact", *STAGE_DATES, "became_case", "decision",
     "breach_reason"),
    frozenset({"first_contact", *STAGE_DATES}))
REQUIRED = ("subject", "route", "first_contact")
ORIGINS = ("applicant", "third_party", "police_information", "recognition")
DECISIONS = ("disclose", "no_disclosure", "withdrawn")
class ApplicationsRefused(ExtractRefused):
    """A Clare's Law applications extract with bad rows: nothing of it was written."""


def read_applications_mapping(path: Path | str) -> Mapping:
    """An applications extract's mapping, checked (``MappingError`` says what to fix)."""
    m = read_mapping(path, APPLICATION)
    if not m.source_system:
        raise MappingError(f"{m.path}: 'source_system' is required to load an extract (e.g. public_protection).")
    missing = [f for f in REQUIRED if f not in m.fields]
    if missing:
        raise MappingError(f"{m.path}: application must map {', '.join(missing)}.")
    return m


def _says(text: str, written: str | None = None, after: str = "") -> str:
    """SQL for a refusal's reason: ``text``, then the value as written in quotes, then ``after``."""
    if written is None:
        return quote_literal(text)
    return f"{quote_literal(text)} || chr(39) || {written} || chr(39) || {quote_literal(after)}"


def _one_of(values) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def _stage_sql(m: Mapping, source: str) -> str:
    """SQL: every row's fields (dates read by the mapping's formats), its line, and why it
    cannot be loaded (the first reason that applies), NULL when it can."""
    fields = [f"NULLIF(trim(CAST(src.{quote_identifier(m.record_id)} AS VARCHAR)), '') AS record_id",
              "src._line AS line"]
    for name in APPLICATION.names:
        fields.append(f"{text_sql(m.fields.get(name))} AS {name}_written")
        if name in APPLICATION.dates:
            fields += [f"{field_date_sql(m, name, set())} AS {name}", f"{field_sql(m, name)} AS {name}_text"]
        else:
            fields.append(f"{field_sql(m, name)} AS {name}")
    checks = [("record_id IS NULL", _says(f"no record id in column {m.record_id}")),
              ("count(*) OVER (PARTITION BY record_id ORDER BY line) > 1",
               _says("record id ", "record_id", " repeats an earlier row: ids must be unique"))]
    checks += [(f"{name} IS NULL", _says(f"no {name} (column {', '.join(m.fields[name])})")) for name in REQUIRED]
    for name in sorted(APPLICATION.dates & set(m.fields)):
        checks.append((f"{name}_text IS NOT NULL AND {name} IS NULL",
                       _says(f"{name} ", f"{name}_text", f" is not a date in the formats {', '.join(m.date_formats)}")))
    for name, known in (("route", tuple(ROUTES)), ("origin", ORIGINS), ("decision", DECISIONS)):
        checks.append((f"{name}_written IS NOT NULL AND coalesce({name}, '') NOT IN {_one_of(known)}",
                       _says(f"unknown {name} ", f"{name}_written",
                             f": expected one of {', '.join(known)} (or a code the mapping's values translate)")))
    checks.append(("became_case_written IS NOT NULL AND lower(became_case) NOT IN ('true', 'false')",
                   _says("became_case ", "became_case_written", ": expected true or false (or a code the "
                                                                 "mapping's values translate)")))
    checks.append(("subject NOT IN (SELECT record_key FROM person_record)",
                   _says("no person ", "subject", " in the warehouse: check the reference (a person record key, "
                                                  "e.g. demo_custody:A12) or load that person's extract first")))
    for name in STAGE_DATES:
        checks.append((f"{name} < first_contact", _says(f"{name.replace('_', ' ')} on ", f"CAST({name} AS VARCHAR)",
                                                        " is before the application (first contact): a stage is "
                                                        "dated on or after it")))
    checks.append(("disclosed IS NOT NULL AND coalesce(decision, '') <> 'disclose'",
                   _says("a disclosure without a decision to disclose: the multi-agency decision comes first")))
    checks.append(("count(*) OVER (PARTITION BY subject, route, first_contact ORDER BY line) > 1",
                   _says("a duplicate case: the same person, route and day of first contact as an earlier row")))
    already = ("EXISTS (SELECT 1 FROM dvds_application a WHERE a.subject_ref = staged.subject"
               " AND a.route = staged.route AND a.first_contact = staged.first_contact"
               f" AND a.application_key <> {quote_literal(source + ':')} || staged.record_id)")
    checks.append((already,
                   _says("a duplicate case: an application already loaded has the same person, route and day "
                         "of first contact")))
    reason = "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in checks) + " END"
    return f"WITH staged AS (SELECT {', '.join(fields)} FROM src) SELECT *, {reason} AS refusal FROM staged"


def load_applications(con: duckdb.DuckDBPyConnection, path: Path | str, mapping: Path | str | Mapping,
                      name: str | None = None) -> dict:
    """Check the whole extract, then write its applications in one batch; return what was
    loaded. Raises MappingError for a mapping or file that cannot be read, ApplicationsRefused
    for bad rows (nothing written)."""
    path = Path(path)
    m = mapping if isinstance(mapping, Mapping) else read_applications_mapping(mapping)
    shown = name or str(path)
    with load_staged(con, read_extract(path, m), source_system=m.source_system, file=shown, staged="dvds_rows",
                     stage_sql=_stage_sql(m, m.source_system), refused=ApplicationsRefused,
                     note=f"Clare's Law applications via mapping {m.path.name}") as batch:
        source = quote_literal(m.source_system)
        con.execute(f"DELETE FROM dvds_application WHERE source_system = {source} AND source_record_id IN "
                    "(SELECT record_id FROM dvds_rows)")
        con.execute(f"""
            INSERT INTO dvds_application (application_key, source_system, source_record_id, batch_id, route,
                origin, district_code, first_contact, {', '.join(STAGE_DATES)}, became_case, decision,
                breach_reason, subject_ref)
            SELECT {source} || ':' || record_id, {source}, record_id, {batch.batch_id}, route,
                   coalesce(origin, CASE route WHEN 'right_to_ask' THEN 'applicant' ELSE 'police_information' END),
                   district_code, first_contact, {', '.join(STAGE_DATES)},
                   -- not given: a case once past the initial checks
                   coalesce(lower(became_case) = 'true', coalesce(face_to_face, risk_assessed, decided) IS NOT NULL),
                   decision, breach_reason, subject
            FROM dvds_rows""")
    return {"source_system": m.source_system, "file": shown, "batch_id": batch.batch_id,
            "rows_loaded": batch.rows_loaded}


def collect_applications(path: Path | str, mapping: Path | str, *, acting: str | None,
                         purpose: str | None) -> dict:
    """``load_applications`` into a new generation of the warehouse, as the collection of
    personal data it is (DPA 2018 s62): refused, and the refusal logged, unless ``acting`` may
    collect Clare's Law records and says why; the load logged with its batch and row count."""
    request = Request(Action.COLLECT, "dvds_application", domain=DOMAIN, purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COLLECTION) as touched, open_writer() as con:
        result = load_applications(con, path, mapping)
        touched.update({key: result[key] for key in ("batch_id", "source_system", "rows_loaded")}, file=str(path))
    return result
