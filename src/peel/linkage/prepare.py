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

import re
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


# Words before a name that are not part of it (lower case, without their full stop).
TITLES = ("mr", "mrs", "miss", "ms", "mx", "dr", "rev", "revd", "sir", "dame", "lady", "lord",
          "prof", "capt", "col", "major", "fr", "master")
# After a comma, words (or any digit) that make the rest a suffix ('Thomas Clifford, 1st Baron
# Clifford of Chudleigh', 'John Smith, Jr') rather than the forenames of 'SMITH, John'.
SUFFIX_WORDS = ("of", "jr", "junior", "sr", "senior", "esq", "baron", "baroness", "lord", "lady",
                "earl", "countess", "duke", "duchess", "viscount", "marquess", "bart", "bt",
                "kc", "qc", "mp", "obe", "mbe", "cbe", "kbe", "dbe", "phd", "md", "ii", "iii",
                "iv", "deceased", "the")


def without_title_sql(expr: str) -> str:
    """SQL: a name (any case) without the titles it starts with ('Mr. John Smith')."""
    titles = "|".join(TITLES)
    return f"regexp_replace({expr}, '^\\s*(({titles})\\.?\\s+)+', '', 'i')"


def full_name_sql(expr: str) -> str:
    """SQL: a full name as written, without leading titles, and without what follows a comma
    when that is a suffix (a digit, or a word such as 'baron' or 'jr'): so only a name that
    is 'SURNAME, Forename' is read that way round."""
    text = without_title_sql(f"CAST({expr} AS VARCHAR)")
    suffix = "[0-9]|\\b(" + "|".join(SUFFIX_WORDS) + ")\\b"
    return (f"CASE WHEN regexp_matches(lower(split_part({text}, ',', 2)), "
            f"{quote_literal(suffix)}) THEN split_part({text}, ',', 1) ELSE {text} END")


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


# A time of day after a date ('1956-05-13 00:00:00', '1956-05-13T00:00:00Z'), as a file
# exported from a TIMESTAMP column writes it; it is dropped before the date is read.
TIME_OF_DAY = r"[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?( ?(Z|[+-][0-9]{2}(:?[0-9]{2})?))?$"
# Format directives a date with a mistyped day or month can still be laid out by (numbers).
LAYOUT_PARTS = {"%Y": "([0-9]{4})", "%m": "([0-9]{1,2})", "%d": "([0-9]{1,2})"}


def date_text_sql(expr: str) -> str:
    """SQL: the text of a date value, trimmed, without a time of day."""
    return (f"regexp_replace(trim(CAST({expr} AS VARCHAR)), {quote_literal(TIME_OF_DAY)}, '')")


def _layout_sql(text: str, fmt: str) -> str | None:
    """SQL: ``text`` laid out as YYYY-MM-DD when it has the digits layout of ``fmt`` (even as
    an impossible date: '13/13/1956' -> '1956-13-13'), else NULL; None for a format with
    other directives (a month name, a two-digit year), which a typo cannot be laid out by."""
    pieces = re.split(r"(%[A-Za-z])", fmt)
    order = [p for p in pieces if p.startswith("%")]
    if sorted(order) != ["%Y", "%d", "%m"]:
        return None
    regex = "^" + "".join(LAYOUT_PARTS[p] if p in LAYOUT_PARTS else re.escape(p)
                          for p in pieces if p) + "$"
    group = {p: order.index(p) + 1 for p in order}

    def part(p: str) -> str:
        return f"lpad(regexp_extract({text}, {quote_literal(regex)}, {group[p]}), 2, '0')"

    return (f"CASE WHEN regexp_full_match({text}, {quote_literal(regex)}) THEN "
            f"regexp_extract({text}, {quote_literal(regex)}, {group['%Y']}) || '-' || "
            f"{part('%m')} || '-' || {part('%d')} END")


def parse_date_sql(expr: str, formats: Sequence[str] | None = None) -> str:
    """SQL: the date as ISO text (any year), or NULL when it cannot be read as a date.

    Read by ``formats`` (without them, the mapping language's default rule: ISO, then UK
    day-first), after dropping a time of day. A value with the digits of a format but an
    impossible day or month ('1956-13-05', '31/02/1980': a typo) is kept as text in the same
    YYYY-MM-DD layout, so the date comparison still finds it one typo from the true date.
    """
    formats = [formats] if isinstance(formats, str) else list(formats or DEFAULT_DATE_FORMATS)
    text = date_text_sql(expr)
    # Format by format, because strptime's %Y also takes a short year ('13/5/56' is year 56
    # by '%d/%m/%Y'): a date before year 1000 is left to the next format ('%d/%m/%y').
    parsed = [f"CASE WHEN year({date_sql(text, [f])}) >= 1000 "
              f"THEN strftime({date_sql(text, [f])}, '%Y-%m-%d') END" for f in formats]
    layouts = [sql for sql in (_layout_sql(text, f) for f in formats) if sql]
    return f"coalesce({', '.join([*parsed, *layouts])})"


def unreadable_dates(con: duckdb.DuckDBPyConnection, raw_table: str, prepared_table: str,
                     examples: int = 3) -> tuple[int, list[tuple[str, int]]]:
    """How many dates of birth could not be read, and the commonest shapes of them (digits
    shown as 9, so no date of birth is printed: '99/99/99', 'unknown'), with their counts."""
    if "date_of_birth" not in {r[0] for r in con.execute(f"DESCRIBE {raw_table}").fetchall()}:
        return 0, []
    rows = con.execute(
        f"""SELECT regexp_replace(trim(CAST(r.date_of_birth AS VARCHAR)), '[0-9]', '9', 'g')
                   AS shape, count(*) AS n
            FROM {raw_table} r JOIN {prepared_table} p
              ON CAST(r.unique_id AS VARCHAR) = p.unique_id
            WHERE contains(p.prepare_note, ?) GROUP BY shape ORDER BY n DESC, shape""",
        [DOB_NOT_UNDERSTOOD]).fetchall()
    return sum(n for _, n in rows), [(shape, n) for shape, n in rows[:examples]]


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
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {raw_table}").fetchall()}
    have = set(types)

    def col(name: str) -> str:
        return quote_identifier(name) if name in have else "NULL"

    load_nicknames(con)
    # A single full-name field is split: 'SURNAME, Forename' or 'Forename Middle Surname'.
    from_full = split_full_name_sql(full_name_sql(col("full_name")), clean_name_sql)
    forenames = (f"coalesce({clean_name_sql(without_title_sql(col('forename')))}, "
                 f"{clean_name_sql(without_title_sql(col('forenames')))})")
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
    dob_is_date = types.get("date_of_birth", "").startswith(("DATE", "TIMESTAMP"))
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
    "unreadable_dates",
]
