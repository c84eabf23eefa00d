"""Normalise person records before comparison: names, nicknames, postcodes, house numbers,
phones, emails, dates of birth, registration marks.

Everything runs as DuckDB SQL over a table of raw person fields (one row per record, the
columns named as the mapping language names them, ``peel.sources.mapped.PERSON_FIELDS``),
so a million records prepare in seconds. A full name and a one-line address are split by
the same routines the loader uses (``peel.sources.mapped.fields``); dates are read by the
mapping's date formats. A field that is missing or cannot be understood becomes NULL, and
the record says why in ``prepare_note``; it is then linked on what it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import duckdb

from peel.sources.mapped import DEFAULT_DATE_FORMATS
from peel.sources.mapped.fields import (
    date_sql,
    split_address_sql,
    split_forenames_sql,
    split_full_name_sql,
    uk_postcode_sql,
)
from peel.warehouse.sql import quote_identifier, quote_literal

# Columns the comparisons read, besides the exact: columns.
PREPARED_FIELDS = ("forename", "surname", "forename_canon", "name_sorted", "date_of_birth",
                   "sex", "postcode", "house_number", "address", "town", "email", "phone",
                   "pnc_id")

# The prepare_note of a record whose date of birth was given but fits no date format.
DOB_NOT_UNDERSTOOD = "date of birth not understood"


def clean_name_sql(expr: str) -> str:
    """SQL: lower case, accents and punctuation removed, single spaces; '' becomes NULL."""
    return (
        "nullif(trim(regexp_replace(regexp_replace(lower(strip_accents(CAST("
        f"{expr} AS VARCHAR))), '[^a-z'' -]', '', 'g'), '[\\s]+', ' ', 'g')), '')"
    )


def normalise_postcode_sql(expr: str) -> str:
    """SQL: upper case, no spaces; a UK postcode gets one space before the inward code."""
    p = f"upper(regexp_replace(CAST({expr} AS VARCHAR), '[^A-Za-z0-9]', '', 'g'))"
    return f"nullif(coalesce({uk_postcode_sql(p)}, {p}), '')"


def normalise_phone_sql(expr: str) -> str:
    """SQL: digits only, +44 written as the national 0; fewer than 6 digits is no number."""
    d = f"regexp_replace(CAST({expr} AS VARCHAR), '[^0-9]', '', 'g')"
    return (
        f"CASE WHEN length({d}) < 6 THEN NULL "
        f"WHEN {d} LIKE '44%' AND length({d}) = 12 THEN '0' || substr({d}, 3) ELSE {d} END"
    )


def normalise_registration_sql(expr: str) -> str:
    """SQL: a vehicle registration mark upper case without spaces or punctuation."""
    return f"nullif(upper(regexp_replace(CAST({expr} AS VARCHAR), '[^A-Za-z0-9]', '', 'g')), '')"


def parse_date_sql(expr: str, formats: Sequence[str] | None = None) -> str:
    """SQL: the date as ISO text, or NULL when no format fits or the year is implausible.
    Without ``formats``, the mapping language's default rule (ISO, then UK day-first)."""
    formats = [formats] if isinstance(formats, str) else list(formats or DEFAULT_DATE_FORMATS)
    parsed = date_sql(f"trim(CAST({expr} AS VARCHAR))", formats)
    return (
        f"CASE WHEN year({parsed}) BETWEEN 1880 AND year(current_date) "
        f"THEN strftime({parsed}, '%Y-%m-%d') END"
    )


def load_nicknames(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``peel_nickname`` lookup (nickname -> canonical forename) from nicknames.csv."""
    path = resources.files("peel.linkage") / "nicknames.csv"
    con.execute("DROP TABLE IF EXISTS peel_nickname")
    con.execute(
        "CREATE TABLE peel_nickname AS SELECT nickname, canonical "
        f"FROM read_csv({quote_literal(path)}, header=true)"
    )


def prepare_persons(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    out_table: str,
    *,
    date_formats: Sequence[str] | None = None,
    exact_columns: tuple[str, ...] = (),
) -> list[str]:
    """Write ``out_table``: ``raw_table``'s records normalised for comparison.

    ``raw_table`` has ``unique_id`` and any of the person fields; a date of birth written as
    text is read with ``date_formats`` (without them, the default rule). Returns the prepared
    fields that hold at least one value (the model compares only those).
    """
    have = {r[0] for r in con.execute(f"DESCRIBE {raw_table}").fetchall()}

    def col(name: str) -> str:
        return quote_identifier(name) if name in have else "NULL"

    load_nicknames(con)
    # A single full-name field is split: 'SURNAME, Forename' or 'Forename Middle Surname'.
    from_full = split_full_name_sql(f"CAST({col('full_name')} AS VARCHAR)", clean_name_sql)
    forenames = f"coalesce({clean_name_sql(col('forename'))}, {clean_name_sql(col('forenames'))})"
    # The first forename only: middle names are recorded inconsistently between systems.
    forename, _middle = split_forenames_sql(f"coalesce({forenames}, {from_full.forename})")
    surname = f"coalesce({clean_name_sql(col('surname'))}, {from_full.surname})"
    # The street line (a leading house number allowed), or the first part of a one-line
    # address, whose town and postcode stand in for missing town and postcode fields.
    line, town, postcode = (
        f"CAST({col(name)} AS VARCHAR)" for name in ("street", "town", "postcode")
    )
    if "address" in have:
        parts = split_address_sql(f"nullif(trim(CAST({col('address')} AS VARCHAR)), '')")
        line = f"coalesce({line}, nullif({parts.line}, ''))"
        town = f"coalesce({town}, nullif({parts.town}, ''))"
        postcode = f"coalesce({postcode}, {parts.postcode})"
    address_clean = (
        f"nullif(trim(regexp_replace(regexp_replace(lower({line}), "
        "'[^a-z0-9 ]', ' ', 'g'), '\\s+', ' ', 'g')), '')"
    )
    house_from_address = f"nullif(regexp_extract({address_clean}, '^([0-9]+[a-z]?)\\b', 1), '')"
    house_number = f"nullif(lower(trim(CAST({col('house_number')} AS VARCHAR))), '')"
    house = f"coalesce({house_number}, {house_from_address})"
    street = f"nullif(trim(regexp_replace({address_clean}, '^[0-9]+[a-z]? ', '')), '')"
    dob_raw = col("date_of_birth")
    dob_is_date = dob_raw != "NULL" and con.execute(
        f"SELECT typeof({dob_raw}) FROM {raw_table} LIMIT 1"
    ).fetchall() in ([("DATE",)], [("TIMESTAMP",)])
    dob = (
        f"strftime({dob_raw}, '%Y-%m-%d')" if dob_is_date
        else parse_date_sql(dob_raw, date_formats)
    )
    sex = (
        f"CASE upper(left(trim(CAST({col('sex')} AS VARCHAR)), 1)) "
        "WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' END"
    )
    exact_sql = "".join(
        f", nullif(lower(trim(CAST({name} AS VARCHAR))), '') AS {name}"
        for name in map(quote_identifier, exact_columns)
    )
    con.execute(f"DROP TABLE IF EXISTS {out_table}")
    con.execute(
        f"""CREATE TABLE {out_table} AS
        WITH base AS (
            SELECT CAST(unique_id AS VARCHAR) AS unique_id,
                   {forename} AS forename,
                   {surname} AS surname,
                   {dob} AS date_of_birth,
                   {dob_raw} IS NOT NULL AND trim(CAST({dob_raw} AS VARCHAR)) <> '' AS had_dob,
                   {sex} AS sex,
                   {normalise_postcode_sql(postcode)} AS postcode,
                   {house} AS house_number,
                   {street} AS address,
                   {clean_name_sql(town)} AS town,
                   nullif(lower(trim(CAST({col('email')} AS VARCHAR))), '') AS email,
                   {normalise_phone_sql(col('phone'))} AS phone,
                   nullif(upper(regexp_replace(CAST({col('pnc_id')} AS VARCHAR), '[^A-Za-z0-9/]', '', 'g')), '') AS pnc_id
                   {exact_sql}
            FROM {raw_table}
        )
        SELECT base.* EXCLUDE (had_dob),
               coalesce(n.canonical, base.forename) AS forename_canon,
               CASE WHEN base.forename IS NULL THEN base.surname
                    WHEN base.surname IS NULL THEN base.forename
                    WHEN base.forename <= base.surname THEN base.forename || ' ' || base.surname
                    ELSE base.surname || ' ' || base.forename END AS name_sorted,
               concat_ws('; ',
                   CASE WHEN had_dob AND base.date_of_birth IS NULL
                        THEN {quote_literal(DOB_NOT_UNDERSTOOD)} END,
                   CASE WHEN coalesce(base.forename, base.surname, base.date_of_birth,
                        base.postcode, base.address, base.email, base.phone, base.pnc_id) IS NULL
                        THEN 'no name, date of birth, address or identifier: left as a singleton' END
               ) AS prepare_note
        FROM base LEFT JOIN peel_nickname n ON n.nickname = base.forename
        """
    )
    fields = [f for f in PREPARED_FIELDS + tuple(exact_columns)]
    counts = con.execute(
        f"SELECT {', '.join(f'count({quote_identifier(f)})' for f in fields)} FROM {out_table}"
    ).fetchall()[0]
    return [f for f, n in zip(fields, counts) if n > 0]


__all__ = [
    "DOB_NOT_UNDERSTOOD",
    "load_nicknames",
    "normalise_phone_sql",
    "normalise_postcode_sql",
    "normalise_registration_sql",
    "parse_date_sql",
    "prepare_persons",
]
