"""Loading a force's certificate holders, certificates and applications from its licensing
system's extracts (CSV or Parquet), through the declared mapping language (docs/ingest.md): a
mapping names the column of each field under ``person:`` (holders, with ``role: holder``),
``certificate:`` or ``application:``.

All or nothing: every row is checked first (a field missing, a date the formats do not fit,
an impossible date, an unknown holder, a code the rules do not know), and if any row is bad
the load is refused with each bad row's file and line and why; nothing is written. Holders
load first: each is a person record (so linkage can find them in other systems) and a row of
the register, and each certificate's and application's holder must already be on it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from peel.casebook.access import PURPOSE, Request, processing
from peel.casebook.audit import Operation
from peel.casebook.roles import Action, Domain
from peel.firearms.rules import APPLICATION_KINDS, CERTIFICATE_KINDS
from peel.sources.mapped import write
from peel.sources.mapped.batch import ExtractRefused
from peel.sources.mapped.fields import field_date_sql, field_sql
from peel.sources.mapped.files import read_extract
from peel.sources.mapped.mapping import FieldSet, MappingError, check_for_ingest, read_mapping
from peel.sources.mapped.stage import stage_rows
from peel.warehouse import open_batch, open_writer
from peel.warehouse.sql import literal_tuple, quote_identifier

CERTIFICATE = FieldSet(
    section="certificate",
    names=("holder_ref", "kind", "issued_date", "expiry_date", "status"),
    dates=frozenset({"issued_date", "expiry_date"}),
    needs_one_of=("holder_ref",), needs_what="the holder's reference (holder_ref)",
)
APPLICATION = FieldSet(
    section="application",
    names=("holder_ref", "kind", "certificate_kind", "received_date", "due_date", "outcome", "decided_date",
           "decided_by", "reason"),
    dates=frozenset({"received_date", "due_date", "decided_date"}),
    needs_one_of=("holder_ref",), needs_what="the holder's reference (holder_ref)",
)
# Per extract: its field set, its table, its key column, the fields every row needs, and the
# checks each row must pass (SQL true when the row is bad, and what to say).
KINDS = {
    "certificate": (CERTIFICATE, "firearms_certificate", "certificate_ref",
                    ("holder_ref", "kind", "issued_date", "expiry_date"),
                    [(f"kind NOT IN {literal_tuple(CERTIFICATE_KINDS)}",
                      f"kind must be one of {', '.join(CERTIFICATE_KINDS)}"),
                     ("expiry_date <= issued_date", "the expiry date is not after the issue date")]),
    "application": (APPLICATION, "firearms_application", "application_ref",
                    ("holder_ref", "kind", "received_date"),
                    [(f"kind NOT IN {literal_tuple(APPLICATION_KINDS)}",
                      f"kind must be one of {', '.join(APPLICATION_KINDS)}"),
                     ("decided_date < received_date", "it is decided before it was received"),
                     ("kind = 'renewal' AND due_date IS NULL", "a renewal needs the expiry it renews (due_date)")]),
}


HOLDER = "holder"  # the kind of extract holding the register's holders, and their person records' role


def refuse_bad_rows(path: Path | str, bad: list[tuple[int, str]]) -> None:
    """Refuse the whole file when any row is bad, naming each by file and line."""
    if bad:
        raise ExtractRefused(path, bad)


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
    stage_rows(con, m, extract)
    born = "a date of birth in the formats " + ", ".join(m.date_formats) + ", and a real day"
    bad = [(line, why) for line, why, _raw in extract.unreadable]
    bad += con.execute("SELECT line, reason FROM mapped_rows WHERE reason IS NOT NULL").fetchall()
    bad += con.execute("SELECT line, ? FROM mapped_rows WHERE reason IS NULL AND date_of_birth IS NULL",
                       [f"date_of_birth ({', '.join(m.fields.get('date_of_birth', ['not mapped']))}) needs {born}"]
                       ).fetchall()
    refuse_bad_rows(path, [(int(line), why) for line, why in bad])
    with open_batch(con, m.source_system, [str(path)]) as batch:
        con.execute("CREATE OR REPLACE TEMP TABLE good AS SELECT * FROM mapped_rows")
        write.replace_earlier(con, m, snapshot=False)
        write.write_person_records(con, m, batch.batch_id)
        write.write_events_objects_links(con, m, batch.batch_id)
        con.execute("DELETE FROM firearms_holder WHERE source_system = ? AND holder_ref IN "
                    "(SELECT source_record_id FROM good)", [m.source_system])
        con.execute("INSERT INTO firearms_holder (holder_ref, record_key, registered_date, source_system, batch_id) "
                    "SELECT source_record_id, ? || source_record_id, recorded_date, ?, ? FROM good",
                    [f"{m.source_system}:", m.source_system, batch.batch_id])
        n = con.execute("SELECT count(*) FROM good").fetchone()[0]
        batch.rows_read = batch.rows_loaded = n
        batch.note = f"firearms holder extract: {n:,} rows"
        con.execute("DROP TABLE good")
        con.execute("DROP TABLE mapped_rows")
    return int(n)


def load_extract(con: duckdb.DuckDBPyConnection, path: Path | str, mapping_path: Path | str, kind: str) -> int:
    """Load a holder, certificate or application extract (``kind``) through its mapping, all
    or nothing; return the rows loaded. Rows already loaded from the same system with the same
    references are replaced."""
    if kind == HOLDER:
        return load_holders(con, path, mapping_path)
    if kind not in KINDS:
        raise ValueError(f"Unknown extract {kind!r}: expected one of {HOLDER}, {', '.join(KINDS)}.")
    fields, table, key, required, checks = KINDS[kind]
    m = read_mapping(mapping_path, fields)
    if not m.source_system:
        raise MappingError(f"{m.path}: 'source_system' is required to load an extract into the warehouse")
    extract = read_extract(path, m)
    bad = [(line, why) for line, why, _raw in extract.unreadable]
    con.register("_fa_src", extract.rows)
    try:
        selected = ", ".join(
            [f"src.{quote_identifier(m.record_id)} AS {key}", "src._line AS _line"]
            + [f"{field_date_sql(m, n, extract.dates) if n in fields.dates else field_sql(m, n)} AS {n}"
               for n in fields.names])
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fa_rows AS SELECT {selected} FROM _fa_src src")
    finally:
        con.unregister("_fa_src")
    problems = [(f"{key} IS NULL", f"no {m.record_id} (the record's reference)")]
    for name in required:
        what = "a date in the formats " + ", ".join(m.date_formats) + ", and a real day" if name in fields.dates else "a value"
        problems.append((f"{name} IS NULL", f"{name} ({', '.join(m.fields.get(name, ['not mapped']))}) needs {what}"))
    problems += checks
    problems.append(("holder_ref NOT IN (SELECT holder_ref FROM firearms_holder)",
                     "unknown holder: load the register's holders first"))
    for condition, why in problems:
        for (line,) in con.execute(f"SELECT _line FROM _fa_rows WHERE {condition} ORDER BY _line").fetchall():
            bad.append((int(line), why))
    refuse_bad_rows(path, bad)
    columns = [key, *(n for n in fields.names if _has_column(con, table, n))]
    with open_batch(con, m.source_system, [str(path)]) as batch:
        con.execute(f"DELETE FROM {quote_identifier(table)} WHERE source_system = ? AND {key} IN "
                    f"(SELECT {key} FROM _fa_rows)", [m.source_system])
        listed = ", ".join(quote_identifier(c) for c in columns)
        defaults = "coalesce(status, 'current')" if table == "firearms_certificate" else None
        picked = ", ".join(defaults if (c == "status" and defaults) else quote_identifier(c) for c in columns)
        con.execute(f"INSERT INTO {quote_identifier(table)} ({listed}, source_system, batch_id) "
                    f"SELECT {picked}, ?, ? FROM _fa_rows", [m.source_system, batch.batch_id])
        n = con.execute("SELECT count(*) FROM _fa_rows").fetchone()[0]
        batch.rows_read = batch.rows_loaded = n
        batch.note = f"firearms {kind} extract: {n:,} rows"
    return int(n)


def collect_extract(path: Path | str, mapping_path: Path | str, kind: str, *, acting: str | None,
                    purpose: str | None) -> int:
    """``load_extract`` into a new generation of the warehouse, as the collection of personal
    data it is (who holds which certificate; DPA 2018 s62): refused, and the refusal logged,
    unless ``acting`` may collect in the firearms domain and says why; the load logged with
    its file, table and row count. A refused extract writes nothing and logs no collection."""
    table = "firearms_holder" if kind == HOLDER else KINDS[kind][1] if kind in KINDS else "firearms_register"
    request = Request(Action.COLLECT, table, domain=Domain.FIREARMS, purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COLLECTION) as touched, open_writer() as con:
        loaded = load_extract(con, path, mapping_path, kind)
        touched.update(file=str(path), kind=kind, table=table, rows_loaded=loaded)
    return loaded


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                            [table, column]).fetchone()[0])
