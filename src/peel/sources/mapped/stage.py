"""Reading a person extract's rows into staging: the temp table ``mapped_rows``, one
normalised person-record row per row read, with its line, the row as read (``raw``) and
why it cannot be accepted (``reason``, see ``checks.py``; NULL when it can).

The normalisation rules, one place each: names upper case with single spaces (a full name
or forenames split into their parts by ``fields.py``); dates read by the mapping's formats
(the date of birth also kept as written); postcodes upper case with one space before the
inward code, and only when they are UK postcodes; phones as UK national digits ('07...');
email lower case; PNC ids upper case.
"""

from __future__ import annotations

import duckdb

from peel.sources.csv_lines import csv_line_sql
from peel.sources.mapped.checks import row_reason_sql
from peel.sources.mapped.fields import (
    column_date_sql,
    column_sql,
    field_date_sql,
    field_sql,
    split_address_sql,
    split_forenames_sql,
    split_full_name_sql,
    text_sql,
    uk_postcode_sql,
)
from peel.sources.mapped.files import Extract
from peel.sources.mapped.mapping import Mapping
from peel.warehouse.sql import quote_literal


def stage_rows(con: duckdb.DuckDBPyConnection, m: Mapping, extract: Extract) -> None:
    """Write ``mapped_rows``: the extract's rows normalised, each with its ``reason``."""
    con.register("src", extract.rows)
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE mapped_rows AS
            WITH rows AS ({build_select(m, extract)}),
            counted AS (
                SELECT *, count(*) OVER (PARTITION BY source_record_id ORDER BY line) AS n_same_id,
                       {"TRUE" if m.event else "FALSE"} AS event_needed
                FROM rows
            )
            SELECT *, {row_reason_sql(m)} AS reason FROM counted
        """)
    finally:
        con.unregister("src")


def _name_sql(text: str) -> str:
    """SQL: a name upper case with single spaces."""
    return f"upper(regexp_replace({text}, '\\s+', ' ', 'g'))"


def _names(m: Mapping) -> tuple[str, str, str]:
    """SQL for (forename, middle names, surname): separate fields, forenames (first and
    middle in one field) or one full name."""
    if "full_name" in m.fields:
        parts = split_full_name_sql(
            _name_sql(field_sql(m, "full_name")), lambda piece: f"NULLIF(trim({piece}), '')"
        )
        return parts.forename, parts.middle_names, parts.surname
    surname = _name_sql(field_sql(m, "surname")) if "surname" in m.fields else "NULL"
    if "forenames" in m.fields:
        forename, middle = split_forenames_sql(_name_sql(field_sql(m, "forenames")))
        return forename, middle, surname
    forename = _name_sql(field_sql(m, "forename")) if "forename" in m.fields else "NULL"
    middle = _name_sql(field_sql(m, "middle_names")) if "middle_names" in m.fields else "NULL"
    return forename, middle, surname


def _address(m: Mapping) -> tuple[str, str, str, str, str]:
    """SQL for (house number, street, town, postcode as written, the address as written):
    separate fields, or one line split into them."""
    if "address" in m.fields:
        written = field_sql(m, "address")
        line, town, postcode = split_address_sql(written)
        house = f"NULLIF(regexp_extract({line}, '^([0-9]+[A-Za-z]?)\\s', 1), '')"
        street = f"NULLIF(upper(trim(regexp_replace({line}, '^[0-9]+[A-Za-z]?\\s+', ''))), '')"
        return house, street, f"NULLIF(upper({town}), '')", postcode, written
    house, street, town, postcode = (
        field_sql(m, name) for name in ("house_number", "street", "town", "postcode")
    )
    written = (
        f"NULLIF(concat_ws(', ', NULLIF(trim(concat_ws(' ', {house}, {street})), ''), "
        f"{town}, {postcode}), '')"
    )
    return house, f"upper({street})", f"upper({town})", postcode, written


def _postcode(written: str) -> str:
    """SQL: a UK postcode upper case with one space before the inward code, else NULL."""
    return uk_postcode_sql(f"upper(regexp_replace({written}, '\\s', '', 'g'))")


def _phone(m: Mapping) -> str:
    """SQL: a UK phone number as national digits ('07...'), else NULL."""
    if "phone" not in m.fields:
        return "NULL"
    digits = f"regexp_replace({field_sql(m, 'phone')}, '[^0-9]', '', 'g')"
    national = f"CASE WHEN {digits} LIKE '44%' THEN '0' || substr({digits}, 3) ELSE {digits} END"
    return f"CASE WHEN regexp_full_match({national}, '0[0-9]{{9,10}}') THEN {national} END"


def _role(m: Mapping) -> str:
    """SQL: the row's role; a code the role's values do not list is kept in lower case."""
    if m.role_constant:
        return quote_literal(m.role_constant)
    written = text_sql([m.role_column])
    if not m.role_values:
        return written
    cases = " ".join(
        f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in m.role_values.items()
    )
    return f"(CASE {written} {cases} ELSE lower({written}) END)"


def build_select(m: Mapping, extract: Extract) -> str:
    """SQL turning the registered extract ``src`` into normalised person-record rows, each
    with its file line and the row as read (``raw``)."""
    forename, middle, surname = _names(m)
    house, street, town, postcode, address_written = _address(m)
    ev = m.event or {}
    event_fields = ev.get("fields", {})
    event_key = (
        f"{quote_literal(ev.get('key_prefix', ''))} || {text_sql([ev['column']])}" if ev else "NULL"
    )
    vehicles = text_sql([m.vehicles["column"]]) if m.vehicles else "NULL"
    as_read = csv_line_sql(f"CAST({column_sql(c)} AS VARCHAR)" for c in extract.header)

    def event_text(name: str) -> str:
        return text_sql([event_fields[name]] if name in event_fields else None)

    event_date = [event_fields["event_date"]] if "event_date" in event_fields else None
    return f"""
        SELECT
            src._line AS line,
            {text_sql([m.record_id])} AS source_record_id,
            {forename} AS forename, {middle} AS middle_names, {surname} AS surname,
            {field_sql(m, "full_name")} AS full_name_raw,
            {field_date_sql(m, "date_of_birth", extract.dates)} AS date_of_birth,
            {field_sql(m, "date_of_birth")} AS date_of_birth_raw,
            coalesce({field_sql(m, "sex")}, 'U') AS sex,
            {house} AS house_number, {street} AS street, {town} AS town,
            {_postcode(postcode)} AS postcode, {address_written} AS address_raw,
            {_phone(m)} AS phone,
            lower({field_sql(m, "email")}) AS email,
            upper({field_sql(m, "pnc_id")}) AS pnc_id,
            {_role(m)} AS role,
            {event_key} AS event_key,
            {field_date_sql(m, "recorded_date", extract.dates)} AS recorded_date,
            {column_date_sql(event_date, m.date_formats, extract.dates)} AS event_date,
            {event_text("district_code")} AS district_code,
            {event_text("lsoa_code")} AS lsoa_code,
            {event_text("category")} AS category,
            {event_text("summary")} AS summary,
            {vehicles} AS vehicles,
            {as_read} AS raw
        FROM src
    """
