"""Loading a force's firearms licensing records from its systems' extracts (CSV or Parquet),
through the declared mapping language (docs/ingest.md): the register's holders (a person
mapping with ``role: holder``), certificates, applications and the stages each went through,
the licensing inbox (a mailbox extract) and the action plan. A mapping names the column of
each field under the kind's key (``certificate:``, ``application:``, ``stage:``, ``mail:``,
``policy:``); ``KINDS`` declares, per kind, its fields, table, the fields every row needs and
the checks each row must pass, and one path (``load_extract``) loads them all.

All or nothing: every row is checked first (a field missing, a date the formats do not fit,
an impossible date, a reference given twice, an unknown holder or application, a code the
rules do not know), and if any row is bad the load is refused with each bad row's file and
line and why; nothing is written (``peel.sources.mapped.batch.load_staged``, which the holder
extract shares). Holders load first: each is a person record (so linkage can find them in
other systems) and a row of the register, and each certificate's and application's holder
must already be on it; an application's stages need the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peel.casebook.access import PURPOSE, Request, processing
from peel.casebook.audit import Operation
from peel.casebook.roles import Action, Domain
from peel.firearms.rules import APPLICATION_KINDS, CERTIFICATE_KINDS, POLICY_STATUSES, STAGES
from peel.sources.mapped import write
from peel.sources.mapped.batch import load_staged
from peel.sources.mapped.fields import field_date_sql, field_sql, text_sql
from peel.sources.mapped.files import read_extract
from peel.sources.mapped.mapping import (
    FieldSet,
    Mapping,
    MappingError,
    check_for_ingest,
    read_mapping,
)
from peel.sources.mapped.stage import stage_rows
from peel.warehouse import open_writer
from peel.warehouse.sql import literal_tuple, quote_identifier, quote_literal

HOLDER = "holder"  # the kind of extract holding the register's holders, and their person records' role


@dataclass(frozen=True)
class Kind:
    """One kind of extract: its fields (under the mapping's key ``fields.section``), the table
    it loads, the column its ``record_id`` fills, the fields every row needs, the checks each
    row must pass (SQL over the row ``r``, true when it is bad, and what to say), the columns
    a row is given once per (default: the reference) and defaults for fields left empty."""

    fields: FieldSet
    table: str
    key: str
    required: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()
    once_per: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)


def _one_of(name: str, values: tuple[str, ...]) -> tuple[str, str]:
    return f"r.{name} NOT IN {literal_tuple(values)}", f"{name} must be one of {', '.join(values)}"


ON_REGISTER = ("r.holder_ref NOT IN (SELECT holder_ref FROM firearms_holder)",
               "unknown holder: load the register's holders first")
STAGE_POSITION = f"list_position({'[' + ', '.join(quote_literal(s) for s in STAGES) + ']'}, r.stage)"
KINDS = {
    "certificate": Kind(
        FieldSet(section="certificate", names=("holder_ref", "kind", "issued_date", "expiry_date", "status"),
                 dates=frozenset({"issued_date", "expiry_date"}),
                 needs_one_of=("holder_ref",), needs_what="the holder's reference (holder_ref)"),
        "firearms_certificate", "certificate_ref", ("holder_ref", "kind", "issued_date", "expiry_date"),
        (_one_of("kind", CERTIFICATE_KINDS),
         ("r.expiry_date <= r.issued_date", "the expiry date is not after the issue date"),
         ON_REGISTER),
        defaults={"status": "'current'"}),
    "application": Kind(
        FieldSet(section="application",
                 names=("holder_ref", "kind", "certificate_kind", "received_date", "due_date", "outcome",
                        "decided_date", "decided_by", "reason"),
                 dates=frozenset({"received_date", "due_date", "decided_date"}),
                 needs_one_of=("holder_ref",), needs_what="the holder's reference (holder_ref)"),
        "firearms_application", "application_ref", ("holder_ref", "kind", "received_date"),
        (_one_of("kind", APPLICATION_KINDS),
         ("r.decided_date < r.received_date", "it is decided before it was received"),
         ("r.kind = 'renewal' AND r.due_date IS NULL", "a renewal needs the expiry it renews (due_date)"),
         ON_REGISTER)),
    # One row per stage an application went through; record_id is the application's
    # reference, and loading an application's stages replaces those loaded for it before.
    "stage": Kind(
        FieldSet(section="stage", names=("stage", "event_date", "officer"), dates=frozenset({"event_date"}),
                 needs_one_of=("stage",), needs_what="the stage (stage)"),
        "firearms_stage_event", "application_ref", ("stage", "event_date"),
        (_one_of("stage", STAGES),
         ("r.application_ref NOT IN (SELECT application_ref FROM firearms_application)",
          "unknown application: load the register's applications first"),
         (("r.event_date < (SELECT min(a.received_date) FROM firearms_application a "
          "WHERE a.application_ref = r.application_ref)"), "the stage is dated before the application was received"),
         ((f"max(r.event_date) OVER (PARTITION BY r.application_ref ORDER BY {STAGE_POSITION} "
          "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > r.event_date"),
          f"the stage is dated before an earlier stage of the application (the order is {' -> '.join(STAGES)})")),
        once_per=("application_ref", "stage")),
    "mail": Kind(
        FieldSet(section="mail", names=("received_date", "cleared_date", "category"),
                 dates=frozenset({"received_date", "cleared_date"}),
                 needs_one_of=("received_date",), needs_what="the day each message came (received_date)"),
        "firearms_mail", "message_ref", ("received_date",),
        (("r.cleared_date < r.received_date", "it is cleared before it was received"),)),
    "policy": Kind(
        FieldSet(section="policy", names=("title", "recommendation", "status", "owner", "evidence", "assessed_date"),
                 dates=frozenset({"assessed_date"}),
                 needs_one_of=("status",), needs_what="the policy's status against the plan (status)"),
        "firearms_policy", "policy_ref", ("title", "recommendation", "status", "owner"),
        (_one_of("status", POLICY_STATUSES),
         ("r.status = 'assessed' AND r.assessed_date IS NULL", ("an assessed policy needs the day it was assessed "
                                                               "(assessed_date)")),
         ("r.status = 'assessed' AND r.evidence IS NULL", "an assessed policy needs its evidence (evidence)"))),
}
EXTRACTS = (HOLDER, *KINDS)  # every kind of extract ``load_extract`` takes, holders first


def _stage_sql(m: Mapping, kind: Kind, dates: set[str]) -> str:
    """SQL over the extract (``src``): each row's reference, line and fields (dates read by the
    mapping's formats), and why it cannot be loaded (the first reason that applies), NULL
    when it can."""
    fields = kind.fields
    selected = [f"NULLIF(trim(CAST(src.{quote_identifier(m.record_id)} AS VARCHAR)), '') AS {kind.key}",
                "src._line AS line"]
    for name in fields.names:
        read = field_date_sql(m, name, dates) if name in fields.dates else field_sql(m, name)
        selected += [f"CAST({read} AS {'DATE' if name in fields.dates else 'VARCHAR'}) AS {name}",
                     f"{text_sql(m.fields.get(name))} AS _{name}_written"]
    once = kind.once_per or (kind.key,)
    problems = [(f"r.{kind.key} IS NULL", f"no {m.record_id} (the record's reference)"),
                (f"count(*) OVER (PARTITION BY {', '.join(f'r.{c}' for c in once)} ORDER BY r.line) > 1",
                 f"the same {' and '.join(once)} as an earlier row: each is given once")]
    day = "a date in the formats " + ", ".join(m.date_formats) + ", and a real day"
    for name in fields.names:
        columns = ", ".join(m.fields.get(name, ["not mapped"]))
        given = "TRUE" if name in kind.required else f"r._{name}_written IS NOT NULL"
        if name in fields.dates:
            problems.append((f"{given} AND r.{name} IS NULL", f"{name} ({columns}) needs {day}"))
        elif name in m.values:  # a code the mapping's values do not list reads as nothing
            codes = ", ".join(m.values[name])
            problems.append((f"{given} AND r.{name} IS NULL",
                             f"{name} ({columns}) needs one of the codes the mapping's values translate: {codes}"))
        elif name in kind.required:
            problems.append((f"r.{name} IS NULL", f"{name} ({columns}) needs a value"))
    problems += kind.checks
    refusal = "CASE " + " ".join(f"WHEN {c} THEN {quote_literal(why)}" for c, why in problems) + " END"
    return f"WITH read AS (SELECT {', '.join(selected)} FROM src) SELECT r.*, {refusal} AS refusal FROM read r"


def _replace(con: duckdb.DuckDBPyConnection, table: str, key: str, values: dict[str, str], staged: str,
             source_system: str, batch_id: int) -> None:
    """Write the staged rows to ``table`` (each column's SQL over ``staged`` in ``values``),
    first removing the rows this system loaded before with the same ``key``."""
    t, s = quote_identifier(table), quote_identifier(staged)
    con.execute(f"DELETE FROM {t} WHERE source_system = ? AND {quote_identifier(key)} IN "
                f"(SELECT {values[key]} FROM {s})", [source_system])
    listed = ", ".join(quote_identifier(c) for c in values)
    con.execute(f"INSERT INTO {t} ({listed}, source_system, batch_id) SELECT {', '.join(values.values())}, ?, ? "
                f"FROM {s}", [source_system, batch_id])


def load_holders(con: duckdb.DuckDBPyConnection, path: Path | str, mapping_path: Path | str) -> int:
    """Load the register's holders through a person mapping with ``role: holder``, all or
    nothing: each row becomes a person record (name, date of birth, address: what linkage
    compares) and a ``firearms_holder`` row (its reference is the record id; the registered
    day, ``recorded_date``). Return the holders loaded; holders loaded before with the same
    references are replaced."""
    m = read_mapping(mapping_path)
    check_for_ingest(m)
    if m.role_constant != HOLDER:
        raise MappingError(f"{m.path}: a holder extract's mapping needs 'role: {HOLDER}' (its rows are holders)")
    extract = read_extract(path, m)
    stage_rows(con, m, extract)  # mapped_rows: each row as a person record, and why it cannot be one
    born = (f"date_of_birth ({', '.join(m.fields.get('date_of_birth', ['not mapped']))}) needs a date of birth "
            f"in the formats {', '.join(m.date_formats)}, and a real day")
    stage_sql = (f"SELECT *, coalesce(reason, CASE WHEN date_of_birth IS NULL THEN {quote_literal(born)} END) "
                 "AS refusal FROM mapped_rows")
    try:
        # The person-record writers read the staged rows from the table 'good'.
        with load_staged(con, extract, source_system=m.source_system, file=str(path), staged="good",
                         stage_sql=stage_sql,
                         note=f"firearms holder extract via mapping {m.path.name}") as batch:
            write.replace_earlier(con, m, snapshot=False)
            write.write_person_records(con, m, batch.batch_id)
            write.write_events_objects_links(con, m, batch.batch_id)
            _replace(con, "firearms_holder", "holder_ref",
                     {"holder_ref": "source_record_id", "record_key": f"{quote_literal(m.source_system + ':')} || "
                      "source_record_id", "registered_date": "recorded_date"}, "good", m.source_system, batch.batch_id)
    finally:
        con.execute("DROP TABLE IF EXISTS mapped_rows")
    return int(batch.rows_loaded)


def load_extract(con: duckdb.DuckDBPyConnection, path: Path | str, mapping_path: Path | str, kind: str) -> int:
    """Load an extract of one of ``EXTRACTS`` (``kind``) through its mapping, all or nothing;
    return the rows loaded. Rows already loaded from the same system with the same references
    are replaced (for stages: every stage of the applications the extract holds)."""
    if kind == HOLDER:
        return load_holders(con, path, mapping_path)
    if kind not in KINDS:
        raise ValueError(f"Unknown extract {kind!r}: expected one of {', '.join(EXTRACTS)}.")
    k = KINDS[kind]
    m = read_mapping(mapping_path, k.fields)
    if not m.source_system:
        raise MappingError(f"{m.path}: 'source_system' is required to load an extract into the warehouse")
    extract = read_extract(path, m)
    staged = "firearms_rows"
    values = {c: (f"coalesce({quote_identifier(c)}, {k.defaults[c]})" if c in k.defaults else quote_identifier(c))
              for c in (k.key, *k.fields.names)}  # each field is its table's column of the same name
    with load_staged(con, extract, source_system=m.source_system, file=str(path), staged=staged,
                     stage_sql=_stage_sql(m, k, extract.dates),
                     note=f"firearms {kind} extract via mapping {m.path.name}") as batch:
        _replace(con, k.table, k.key, values, staged, m.source_system, batch.batch_id)
    return int(batch.rows_loaded)


def collect_extract(path: Path | str, mapping_path: Path | str, kind: str, *, acting: str | None,
                    purpose: str | None) -> int:
    """``load_extract`` into a new generation of the warehouse, as the collection of personal
    data it is (who holds which certificate, who worked which application, the licensing
    inbox; DPA 2018 s62): refused, and the refusal logged, unless ``acting`` may collect in
    the firearms domain and says why; the load logged with its file, table and row count. A
    refused extract writes nothing and logs no collection."""
    table = "firearms_holder" if kind == HOLDER else KINDS[kind].table if kind in KINDS else "firearms_register"
    request = Request(Action.COLLECT, table, domain=Domain.FIREARMS, purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COLLECTION) as touched, open_writer() as con:
        loaded = load_extract(con, path, mapping_path, kind)
        touched.update(file=str(path), kind=kind, table=table, rows_loaded=loaded)
    return loaded

