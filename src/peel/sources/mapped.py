"""Load a force's person extracts (CSV or Parquet) into the warehouse through a declared
column mapping: a small YAML file per source system saying which of its columns hold which
``person_record`` field, how it writes dates, and which events, vehicles and addresses its
rows point to.

One extract is one ingest batch: person records, events, vehicles and POLE links commit
together or not at all. A row that cannot be read (wrong number of fields, no record id, no
name at all...) goes to ``quarantine`` with its file, line and reason; a file that lacks a
column the mapping names fails before anything is written, naming the column and the file.

Normalisation is done in DuckDB SQL so that a million rows load in seconds. The rules (one
place each): names upper case with single spaces; dates parsed with the mapping's formats
(kept raw as well); postcodes upper case with one space before the inward code; phones as
UK national digits ('07...'); email lower case; vehicle marks upper case without spaces.

A mapping file looks like this (see ``mappings/demo_*.yaml``)::

    source_system: demo_custody
    record_id: CustodyNo            # the column holding the record's id in that system
    date_formats: ["%d/%m/%Y"]      # tried in order (DuckDB strptime formats)
    role: arrestee                  # or {column: INVOLVEMENT, values: {VICTIM: victim}}
    person:                         # person_record field: source column
      surname: Surname
      forename: Forename
      date_of_birth: DateOfBirth
      address: HomeAddress          # one-line address, split into its parts
    values:
      sex: {Male: M, Female: F}
    event:                          # what each row is about
      kind: arrest                  # crime | arrest | event
      column: ArrestRef
      key_prefix: "demo_custody:"
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from peel.sources.csv_lines import count_lines, csv_line, csv_line_sql
from peel.warehouse import clear_quarantine, open_batch

MAPPINGS_DIR = Path(__file__).parent / "mappings"

PERSON_FIELDS = {
    "forename",
    "middle_names",
    "surname",
    "forenames",
    "full_name",
    "date_of_birth",
    "sex",
    "house_number",
    "street",
    "town",
    "postcode",
    "address",
    "phone",
    "email",
    "pnc_id",
    "recorded_date",
}
# Fields a source writes either whole or in parts, never both.
ONE_WAY_OR_THE_OTHER = [
    ("full_name", {"surname", "forename", "forenames", "middle_names"}),
    ("forenames", {"forename", "middle_names"}),
    ("address", {"house_number", "street", "town", "postcode"}),
]
EVENT_KINDS = {"crime", "arrest", "event"}
EVENT_FIELDS = {"event_date", "district_code", "lsoa_code", "category", "summary"}
NOT_UTF8 = "holds bytes that are not UTF-8: save the extract as UTF-8 and load it again"
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"


class MappingError(ValueError):
    """A mapping file, or the extract it describes, cannot be used: the message says why."""


@dataclass
class Mapping:
    """A source system's declared column mapping (one YAML file)."""

    path: Path
    source_system: str
    record_id: str
    person: dict[str, str]
    date_formats: list[str]
    role_column: str | None = None
    role_values: dict[str, str] = field(default_factory=dict)
    role_constant: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    event: dict | None = None
    vehicles: dict | None = None

    def columns(self) -> dict[str, str]:
        """Every source column the mapping needs, with what it is needed for."""
        need = {self.record_id: "record_id"}
        need.update({col: f"person.{name}" for name, col in self.person.items()})
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


def read_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; a bad one raises MappingError saying what to fix."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc}") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: expected a YAML mapping with source_system, record_id, person")
    for key in ("source_system", "record_id", "person"):
        if not raw.get(key):
            raise MappingError(f"{path}: '{key}' is required")
    unknown = set(raw["person"]) - PERSON_FIELDS
    if unknown:
        raise MappingError(
            f"{path}: unknown person field(s) {sorted(unknown)}; expected some of {sorted(PERSON_FIELDS)}"
        )
    person = raw["person"]
    if not all(isinstance(col, str) and col for col in person.values()):
        raise MappingError(f"{path}: each person field must name one column of the file")
    if not person.keys() & {"surname", "forename", "forenames", "full_name"}:
        raise MappingError(f"{path}: person needs a name: surname, forename(s) or full_name")
    for one, others in ONE_WAY_OR_THE_OTHER:
        if one in person and person.keys() & others:
            raise MappingError(
                f"{path}: person.{one} cannot be mapped with {sorted(person.keys() & others)}: "
                "choose one way the source writes it"
            )
    if "vehicles" in raw and not (raw["vehicles"] or {}).get("column"):
        raise MappingError(f"{path}: vehicles needs column (and optionally separator)")
    role = raw.get("role")
    if role is None:
        raise MappingError(
            f"{path}: 'role' is required: a constant (e.g. victim) or {{column:, values:}}"
        )
    event = raw.get("event")
    if event is not None:
        if event.get("kind") not in EVENT_KINDS or not event.get("column"):
            raise MappingError(
                f"{path}: event needs kind (one of {sorted(EVENT_KINDS)}) and column"
            )
        if event["kind"] == "event" and not event.get("event_type"):
            raise MappingError(f"{path}: event of kind 'event' needs event_type (e.g. incident)")
        bad = set(event.get("fields", {})) - EVENT_FIELDS
        if bad:
            raise MappingError(
                f"{path}: unknown event field(s) {sorted(bad)}; expected some of {sorted(EVENT_FIELDS)}"
            )
    # These go into SQL as names and literals: keep them to plain characters.
    plain = [
        ("source_system", raw["source_system"]),
        ("event.key_prefix", (event or {}).get("key_prefix", "")),
        ("event.event_type", (event or {}).get("event_type", "")),
        ("vehicles.separator", (raw.get("vehicles") or {}).get("separator", ";")),
    ]
    for name, value in plain:
        if not re.fullmatch(r"[A-Za-z0-9_.:;/ -]*", str(value)):
            raise MappingError(
                f"{path}: {name} {value!r} may hold only letters, digits and _ . : ; / -"
            )
    formats = raw.get("date_formats") or ["%Y-%m-%d"]
    formats = [formats] if isinstance(formats, str) else list(formats)
    with duckdb.connect() as check:
        for fmt in formats:
            try:
                check.execute("SELECT try_strptime('2000-01-01', ?)", [str(fmt)])
            except duckdb.Error as exc:
                raise MappingError(
                    f"{path}: date format {fmt!r} is not a strptime format (e.g. %d/%m/%Y): {exc}"
                ) from None
    return Mapping(
        path=path,
        source_system=raw["source_system"],
        record_id=raw["record_id"],
        person=dict(raw["person"]),
        date_formats=[str(f) for f in formats],
        role_column=role.get("column") if isinstance(role, dict) else None,
        role_values=dict(role.get("values", {})) if isinstance(role, dict) else {},
        role_constant=role if isinstance(role, str) else None,
        values={k: dict(v) for k, v in (raw.get("values") or {}).items()},
        event=event,
        vehicles=raw.get("vehicles"),
    )


def read_extract(
    path: Path, mapping: Mapping
) -> tuple[object, list[str], list[tuple[int, str, str]]]:
    """Read an extract as text: (rows with their file line in ``_line``, header, unreadable rows).

    Unreadable rows are (line, reason, raw). A column the mapping needs but the file lacks
    raises MappingError naming the column, the file and the mapping.
    """
    bad: list[tuple[int, str, str]] = []
    parquet = path.suffix.lower() == ".parquet"
    try:
        header = pq.read_schema(path).names if parquet else _read_header(path)
    except pa.ArrowException as exc:
        raise MappingError(f"{path}: cannot be read as Parquet: {exc}") from None
    _check_columns(path, header, mapping)
    if parquet:
        frame = pd.read_parquet(path)
        frame = frame.astype("string").astype(object).where(frame.notna(), None)
        # Parquet has no header line: 'line' is the row number, counting from 1.
        frame["_line"] = range(1, len(frame) + 1)
    else:
        fast = _read_csv_with_duckdb(path, header)
        frame, bad = fast if fast is not None else _read_csv_line_by_line(path, header)
    return frame, header, bad


def _read_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise MappingError(f"{path}: the file is empty; expected a header line") from None
    if any("\ufffd" in name for name in header):
        raise MappingError(f"{path}: the header line {NOT_UTF8}")
    return header


def _check_columns(path: Path, header: list[str], mapping: Mapping) -> None:
    missing = [col for col in mapping.columns() if col not in header]
    if missing:
        needs = mapping.columns()
        named = ", ".join(f"{col!r} (for {needs[col]})" for col in missing)
        raise MappingError(
            f"{path}: {'column' if len(missing) == 1 else 'columns'} {named} missing; mapping "
            f"{mapping.path.name} needs {'it' if len(missing) == 1 else 'them'}. Columns in the "
            f"file: {', '.join(header)}. Fix the extract or the mapping and load again."
        )


def _describe_width(width: int, raw: str) -> str:
    found = len(next(csv.reader([raw]), []))
    return f"expected {width} fields as in the header, found {found}"


def _read_csv_with_duckdb(path: Path, header: list[str]):
    """Parse the CSV with DuckDB's parallel reader; None when its line numbers would be wrong.

    DuckDB numbers rows, not lines. The two agree exactly when every row is on one line, which
    holds when the file has as many lines as the header, the rows read and the rows rejected
    together: otherwise (a value with a line break, blank lines) the careful reader is used.
    """
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")  # the command shows its own progress
        columns = "{" + ", ".join(f"{_quote_literal(c)}: 'VARCHAR'" for c in header) + "}"
        table = con.sql(
            f"""SELECT * FROM read_csv({_quote_literal(str(path))}, header = true, auto_detect = false,
                   columns = {columns}, delim = ',', quote = '"', escape = '"',
                   store_rejects = true, encoding = 'utf-8')"""
        ).to_arrow_table()
        rejects = con.execute(
            "SELECT line, error_type, csv_line, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    lines = count_lines(path)
    # DuckDB can report several errors for one row (one per missing column): keep the first.
    first_error = {}
    for line, kind, raw, message in rejects:
        first_error.setdefault(int(line), (kind, raw, message))
    reject_lines = sorted(first_error)
    if lines != 1 + table.num_rows + len(reject_lines):
        return None
    width = len(header)
    bad = []
    for line in reject_lines:
        kind, raw, message = first_error[line]
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            reason = _describe_width(width, raw)
        elif kind == "INVALID ENCODING":
            reason = NOT_UTF8
        else:
            reason = f"could not be read as CSV: {message}"
        bad.append((line, reason, raw))
    good_lines = np.setdiff1d(np.arange(2, lines + 1), np.array(reject_lines, dtype=np.int64))
    return table.append_column("_line", pa.array(good_lines, pa.int64())), bad


def _read_csv_line_by_line(path: Path, header: list[str]):
    """Parse the CSV with Python's csv module, which knows where each row starts."""
    bad: list[tuple[int, str, str]] = []
    # Bytes that are not UTF-8 become U+FFFD, and their row is quarantined (as DuckDB does).
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows, lines, last = [], [], 1
        width = len(header)
        for row in reader:
            start, last = last + 1, reader.line_num
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # blank line
                reason = f"expected {width} fields as in the header, found {len(row)}"
                bad.append((start, reason, csv_line(row)))
                continue
            if any("\ufffd" in cell for cell in row):
                bad.append((start, NOT_UTF8, csv_line(row)))
                continue
            rows.append(row)
            lines.append(start)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["_line"] = lines
    return frame, bad


def _quote_literal(value) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _quote_column(name: str) -> str:
    """A SQL column name, quoted (source columns can hold spaces and punctuation)."""
    return '"' + name.replace('"', '""') + '"'


def _clean_text(col: str | None) -> str:
    """SQL for a source column as trimmed text, NULL when empty."""
    if col is None:
        return "NULL"
    return f"NULLIF(trim(src.{_quote_column(col)}), '')"


def _parse_date(col: str | None, formats: list[str]) -> str:
    if col is None:
        return "NULL"
    fmts = ", ".join("'" + f.replace("'", "''") + "'" for f in formats)
    return f"CAST(try_strptime({_clean_text(col)}, [{fmts}]) AS DATE)"


def _clean_name(col: str) -> str:
    return f"upper(regexp_replace({_clean_text(col)}, '\\s+', ' ', 'g'))"


def _recode(expr: str, values: dict[str, str], default: str) -> str:
    if not values:
        return expr
    cases = " ".join(
        f"WHEN {expr} = {_quote_literal(k)} THEN {_quote_literal(v)}" for k, v in values.items()
    )
    return f"CASE {cases} WHEN {expr} IS NULL THEN NULL ELSE {default} END"


def build_select(m: Mapping, header: list[str]) -> str:
    """SQL turning the registered extract ``src`` (columns ``header``) into normalised
    person-record rows, each with its file line and the row as read (``raw``)."""
    p = m.person
    # Names: separate fields, a 'forenames' field (first + middle), or one full-name field
    # written either 'SURNAME, Forename Middle' or 'Forename Middle Surname'.
    if "full_name" in p:
        n = _clean_name(p["full_name"])
        comma = f"strpos({n}, ',') > 0"
        after = f"trim(split_part({n}, ',', 2))"
        words = f"string_split({n}, ' ')"
        forename = (
            f"CASE WHEN {comma} THEN NULLIF(split_part({after}, ' ', 1), '') "
            f"WHEN len({words}) > 1 THEN {words}[1] END"
        )
        surname = (
            f"CASE WHEN {comma} THEN NULLIF(trim(split_part({n}, ',', 1)), '') ELSE {words}[-1] END"
        )
        middle = (
            f"NULLIF(CASE WHEN {comma} THEN array_to_string(list_slice(string_split({after}, ' '), 2, -1), ' ') "
            f"ELSE array_to_string(list_slice({words}, 2, len({words}) - 1), ' ') END, '')"
        )
        full_raw = _clean_text(p["full_name"])
    else:
        full_raw = "NULL"
        surname = _clean_name(p["surname"]) if "surname" in p else "NULL"
        if "forenames" in p:
            f = _clean_name(p["forenames"])
            forename = f"NULLIF(split_part({f}, ' ', 1), '')"
            middle = f"NULLIF(array_to_string(list_slice(string_split({f}, ' '), 2, -1), ' '), '')"
        else:
            forename = _clean_name(p["forename"]) if "forename" in p else "NULL"
            middle = _clean_name(p["middle_names"]) if "middle_names" in p else "NULL"

    # Addresses: separate fields, or one line '12 Acacia Road, Town, CK4 7QT' (parts optional).
    if "address" in p:
        a = _clean_text(p["address"])
        pc_re = r"([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})\s*$"
        pc_raw = f"NULLIF(regexp_extract({a}, '{pc_re}', 1), '')"
        rest = f"trim(regexp_replace({a}, '{pc_re}', ''), ' ,')"
        first = f"trim(split_part({rest}, ',', 1))"
        house = f"NULLIF(regexp_extract({first}, '^([0-9]+[A-Za-z]?)\\s', 1), '')"
        street = f"NULLIF(upper(trim(regexp_replace({first}, '^[0-9]+[A-Za-z]?\\s+', ''))), '')"
        town = f"NULLIF(upper(trim(split_part({rest}, ',', 2))), '')"
        address_raw = a
    else:
        pc_raw = _clean_text(p.get("postcode"))
        house = _clean_text(p.get("house_number"))
        street = f"upper({_clean_text(p.get('street'))})"
        town = f"upper({_clean_text(p.get('town'))})"
        address_raw = (
            f"NULLIF(concat_ws(', ', NULLIF(trim(concat_ws(' ', {house}, {_clean_text(p.get('street'))})), ''), "
            f"{_clean_text(p.get('town'))}, {pc_raw}), '')"
        )
    pc_compact = f"upper(regexp_replace({pc_raw}, '\\s', '', 'g'))"
    postcode = (
        f"CASE WHEN regexp_full_match({pc_compact}, '{POSTCODE_PATTERN}') "
        f"THEN left({pc_compact}, length({pc_compact}) - 3) || ' ' || right({pc_compact}, 3) END"
    )

    digits = f"regexp_replace({_clean_text(p.get('phone'))}, '[^0-9]', '', 'g')"
    national = f"CASE WHEN {digits} LIKE '44%' THEN '0' || substr({digits}, 3) ELSE {digits} END"
    phone = f"CASE WHEN regexp_full_match({national}, '0[0-9]{{9,10}}') THEN {national} END"

    sex = _recode(_clean_text(p.get("sex")), m.values.get("sex", {}), "'U'")
    if m.role_constant:
        role = _quote_literal(m.role_constant)
    else:
        role = _recode(
            _clean_text(m.role_column), m.role_values, f"lower({_clean_text(m.role_column)})"
        )
    ev = m.event or {}
    event_ref = _clean_text(ev.get("column"))
    event_key = f"{_quote_literal(ev.get('key_prefix', ''))} || {event_ref}" if ev else "NULL"
    ev_fields = ev.get("fields", {})
    record_id = _clean_text(m.record_id)
    vehicles = _clean_text(m.vehicles["column"]) if m.vehicles else "NULL"
    as_read = csv_line_sql(f"src.{_quote_column(c)}" for c in header)

    return f"""
        SELECT
            src._line AS line,
            {record_id} AS source_record_id,
            {forename} AS forename, {middle} AS middle_names, {surname} AS surname,
            {full_raw} AS full_name_raw,
            {_parse_date(p.get("date_of_birth"), m.date_formats)} AS date_of_birth,
            {_clean_text(p.get("date_of_birth"))} AS date_of_birth_raw,
            coalesce({sex}, 'U') AS sex,
            {house} AS house_number, {street} AS street, {town} AS town,
            {postcode} AS postcode, {address_raw} AS address_raw,
            {phone if "phone" in p else "NULL"} AS phone,
            lower({_clean_text(p.get("email"))}) AS email,
            upper({_clean_text(p.get("pnc_id"))}) AS pnc_id,
            {role} AS role,
            {event_key} AS event_key,
            {_parse_date(p.get("recorded_date"), m.date_formats)} AS recorded_date,
            {_parse_date(ev_fields.get("event_date"), m.date_formats)} AS event_date,
            {_clean_text(ev_fields.get("district_code"))} AS district_code,
            {_clean_text(ev_fields.get("lsoa_code"))} AS lsoa_code,
            {_clean_text(ev_fields.get("category"))} AS category,
            {_clean_text(ev_fields.get("summary"))} AS summary,
            {vehicles} AS vehicles,
            {as_read} AS raw
        FROM src
    """


# Why a row cannot be accepted, checked in this order; the first that applies is recorded.
ROW_CHECKS = [
    (
        "source_record_id IS NULL",
        "no record id in column {record_id}: every row needs its id in the source system",
    ),
    ("n_same_id > 1", "record id repeats an earlier row of this file: ids must be unique"),
    ("forename IS NULL AND surname IS NULL", "no name: expected a forename or a surname"),
    (
        "event_needed AND event_key IS NULL",
        "no event reference in column {event_column}: each row must say which event it is about",
    ),
]


def load_mapped(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    mapping: Mapping | Path | str,
    snapshot: bool = False,
) -> dict:
    """Load one extract through its mapping as one ingest batch; return what was loaded.

    Rows already loaded from the same source system with the same record ids are replaced,
    so loading a newer extract again does not duplicate anything, and the file's earlier
    quarantined rows give way to its rows now. With ``snapshot`` the file is taken to hold
    everything the system has: this source's earlier person records, their links, events,
    vehicles and quarantined rows are removed first.
    """
    path = Path(path)
    m = mapping if isinstance(mapping, Mapping) else read_mapping(mapping)
    if not path.exists():
        raise MappingError(f"{path}: no such file")
    frame, header, unreadable = read_extract(path, m)
    system = m.source_system
    ev = m.event or {}
    checks = " ".join(
        f"WHEN {cond} THEN {_quote_literal(reason.format(record_id=m.record_id, event_column=ev.get('column')))}"
        for cond, reason in ROW_CHECKS
    )
    shown = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
    con.execute("SET enable_progress_bar = false")  # callers show their own progress
    try:
        with open_batch(con, system, [str(path)]) as batch:
            con.register("src", frame)
            try:
                con.execute(f"""
                    CREATE OR REPLACE TEMP TABLE mapped_rows AS
                    WITH rows AS ({build_select(m, header)}),
                    counted AS (
                        SELECT *, count(*) OVER (PARTITION BY source_record_id ORDER BY line) AS n_same_id,
                               {"TRUE" if ev else "FALSE"} AS event_needed
                        FROM rows
                    )
                    SELECT *, CASE {checks} END AS reason FROM counted
                """)
            finally:
                con.unregister("src")
            b, s = batch.batch_id, system
            con.execute(
                "CREATE OR REPLACE TEMP TABLE good AS SELECT * FROM mapped_rows WHERE reason IS NULL"
            )
            _replace_earlier(con, m, path, snapshot)
            if unreadable:
                con.executemany(
                    "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                    [[b, s, str(path), line, reason, raw] for line, reason, raw in unreadable],
                )
            con.execute(
                "INSERT INTO quarantine SELECT ?, ?, ?, line, reason, raw FROM mapped_rows WHERE reason IS NOT NULL",
                [b, s, str(path)],
            )
            con.execute(f"""
                INSERT INTO person_record
                SELECT '{s}:' || source_record_id, '{s}', source_record_id, {b}, forename, middle_names,
                       surname, full_name_raw, date_of_birth, date_of_birth_raw, sex, house_number, street,
                       town, postcode, address_raw, phone, email, pnc_id, role, event_key, recorded_date
                FROM good
            """)
            links = _write_events_objects_links(con, m, b)
            counts = con.execute(
                "SELECT count(*) FROM mapped_rows WHERE reason IS NULL"
            ).fetchone()[0]
            batch.rows_read = len(frame) + len(unreadable)
            batch.rows_loaded = counts
            batch.rows_quarantined = batch.rows_read - counts
            batch.note = f"person extract via mapping {m.path.name}"
            con.execute("DROP TABLE good")
            con.execute("DROP TABLE mapped_rows")
    finally:
        con.execute(f"SET enable_progress_bar = {'true' if shown else 'false'}")
    return {
        "source_system": s,
        "file": str(path),
        "batch_id": b,
        "rows_read": batch.rows_read,
        "rows_loaded": batch.rows_loaded,
        "rows_quarantined": batch.rows_quarantined,
        **links,
    }


def _replace_earlier(
    con: duckdb.DuckDBPyConnection, m: Mapping, path: Path, snapshot: bool
) -> None:
    """Remove what earlier loads wrote for these records and the file's quarantined rows, so a
    reload replaces them; for a snapshot, everything earlier loads of this source wrote (the
    file is all it holds)."""
    clear_quarantine(con, m.source_system, None if snapshot else [str(path)])
    s = _quote_literal(m.source_system)
    scope = "" if snapshot else "AND source_record_id IN (SELECT source_record_id FROM good)"
    con.execute(f"DELETE FROM person_record WHERE source_system = {s} {scope}")
    con.execute(
        f"DELETE FROM pole_link WHERE source_system = {s} AND from_kind = 'person_record' {scope}"
    )
    if snapshot and m.event and m.event["kind"] == "event":
        con.execute(
            f"DELETE FROM event WHERE source_system = {s} "
            f"AND event_type = {_quote_literal(m.event['event_type'])}"
        )
    if snapshot and m.vehicles:
        con.execute(f"DELETE FROM object WHERE source_system = {s} AND kind = 'vehicle'")


def _write_events_objects_links(con: duckdb.DuckDBPyConnection, m: Mapping, b: int) -> dict:
    """Write the events, vehicles and typed links the person rows point to."""
    s = m.source_system
    ev = m.event or {}
    out = {"events": 0, "objects": 0, "links": 0}
    if ev.get("kind") == "event":
        con.execute(
            f"DELETE FROM event WHERE source_system = '{s}' AND event_key IN (SELECT event_key FROM good)"
        )
        n = con.execute(f"""
            INSERT INTO event
            SELECT event_key, '{ev["event_type"]}', '{s}', substr(event_key, {len(ev.get("key_prefix", "")) + 1}),
                   {b}, min(event_date), min(district_code), min(lsoa_code), min(category), min(summary)
            FROM good GROUP BY event_key
        """).fetchone()[0]
        out["events"] = n
    to_kind = ev.get("kind")
    link_sql = []
    if to_kind:
        link_sql.append(f"""
            SELECT 'person_record', '{s}:' || source_record_id, role, '{to_kind}', event_key,
                   recorded_date, NULL::DATE, '{s}', source_record_id, {b}
            FROM good WHERE event_key IS NOT NULL""")
    # An address is identified by its postcode and house number (or street when unnumbered).
    link_sql.append(f"""
        SELECT 'person_record', '{s}:' || source_record_id, 'resides_at', 'address',
               postcode || ' / ' || coalesce(house_number, street, ''),
               recorded_date, NULL::DATE, '{s}', source_record_id, {b}
        FROM good WHERE postcode IS NOT NULL""")
    if m.vehicles:
        sep = m.vehicles.get("separator", ";")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE mentioned AS
            SELECT source_record_id, recorded_date, trim(v) AS raw,
                   upper(regexp_replace(v, '[^A-Za-z0-9]', '', 'g')) AS vrm
            FROM good, unnest(string_split(vehicles, '{sep}')) AS t(v)
            WHERE vehicles IS NOT NULL AND trim(v) <> ''
        """)
        con.execute(f"""DELETE FROM object WHERE source_system = '{s}'
                        AND source_record_id IN (SELECT source_record_id FROM mentioned)""")
        out["objects"] = con.execute(f"""
            INSERT INTO object
            SELECT 'vehicle:' || vrm, 'vehicle', vrm, raw, NULL, '{s}', source_record_id, {b}
            FROM mentioned
        """).fetchone()[0]
        link_sql.append(f"""
            SELECT 'person_record', '{s}:' || source_record_id, 'drives', 'object', 'vehicle:' || vrm,
                   recorded_date, NULL::DATE, '{s}', source_record_id, {b}
            FROM mentioned""")
    out["links"] = con.execute("INSERT INTO pole_link " + " UNION ALL ".join(link_sql)).fetchone()[
        0
    ]
    if m.vehicles:
        con.execute("DROP TABLE mentioned")
    return out

