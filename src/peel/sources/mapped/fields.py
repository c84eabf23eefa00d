"""SQL reading a mapping's fields out of an extract's rows, the same for every use: each
field's text, a date by the mapping's formats, a full name or a one-line address split into
its parts. Loading (``stage.py``) and linking (``peel.linkage.files`` and ``prepare``) build
their columns from these, each then normalising names its own way (upper case for the
warehouse, lower case without punctuation for comparison).

Every function returns SQL text over a table alias (``src`` unless told): column names go in
through ``quote_identifier``, values through ``quote_literal``, never by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from peel.sources.mapped.mapping import Mapping
from peel.warehouse.sql import literal_list, quote_identifier, quote_literal

# A UK postcode without its space: outward code (area, district) then inward code.
UK_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
# A UK postcode at the end of a one-line address, any case, any spacing.
POSTCODE_AT_END = r"([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})\s*$"


def uk_postcode_sql(compact: str) -> str:
    """SQL: a postcode written without spaces, upper case, as a UK postcode is written (one
    space before the inward code); NULL when it is not a UK postcode."""
    return (
        f"CASE WHEN regexp_full_match({compact}, {quote_literal(UK_POSTCODE)}) "
        f"THEN left({compact}, length({compact}) - 3) || ' ' || right({compact}, 3) END"
    )


def column_sql(column: str, table: str = "src") -> str:
    """SQL naming one column of the extract."""
    return f"{table}.{quote_identifier(column)}"


def text_sql(columns: Sequence[str] | None, table: str = "src") -> str:
    """SQL: the columns' text, trimmed, NULL when empty; several are joined by one space."""
    if not columns:
        return "NULL"
    parts = [f"NULLIF(trim(CAST({column_sql(c, table)} AS VARCHAR)), '')" for c in columns]
    return parts[0] if len(parts) == 1 else f"NULLIF(concat_ws(' ', {', '.join(parts)}), '')"


def field_sql(m: Mapping, name: str, table: str = "src") -> str:
    """SQL: a mapped field's text, read through its value map when it has one (a code the
    map does not list is unknown: NULL). NULL when the mapping does not map the field."""
    text = text_sql(m.fields.get(name), table)
    codes = m.values.get(name)
    if not codes:
        return text
    cases = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in codes.items())
    return f"(CASE {text} {cases} END)"


def date_sql(text: str, formats: Sequence[str]) -> str:
    """SQL: the timestamp ``text`` holds by the first of ``formats`` that fits, else NULL."""
    return f"try_strptime({text}, {literal_list(formats)})"


def column_date_sql(
    columns: Sequence[str] | None,
    formats: Sequence[str],
    dates: set[str],
    table: str = "src",
    text: str | None = None,
) -> str:
    """SQL: the DATE the columns hold (their ``text`` unless told) by the first of ``formats``
    that fits, NULL when none does. A column that is a date already (``dates``: a Parquet
    file's date columns) is taken as it is."""
    if not columns:
        return "NULL"
    if len(columns) == 1 and columns[0] in dates:
        return f"CAST({column_sql(columns[0], table)} AS DATE)"
    return f"CAST({date_sql(text or text_sql(columns, table), formats)} AS DATE)"


def field_date_sql(m: Mapping, name: str, dates: set[str], table: str = "src") -> str:
    """SQL: the DATE a mapped field holds by the mapping's date formats, NULL when none fits."""
    columns = m.fields.get(name)
    return column_date_sql(columns, m.date_formats, dates, table, field_sql(m, name, table))


class NameParts(NamedTuple):
    forename: str
    middle_names: str
    surname: str


def split_full_name_sql(written: str, clean: Callable[[str], str]) -> NameParts:
    """SQL for the parts of a full name written 'SURNAME, Forename Middle' or
    'Forename Middle Surname'; a name of one word is the surname.

    ``written`` is the name as the source wrote it (its comma says which way round);
    ``clean(expr)`` is how the caller normalises a piece of it: single spaces, no space at
    either end, NULL when empty.
    """
    comma = f"strpos({written}, ',') > 0"
    before, after = (clean(f"split_part({written}, ',', {n})") for n in (1, 2))
    words = f"string_split({clean(written)}, ' ')"
    forename = (
        f"CASE WHEN {comma} THEN NULLIF(split_part({after}, ' ', 1), '') "
        f"WHEN len({words}) > 1 THEN {words}[1] END"
    )
    middle = (
        f"NULLIF(CASE WHEN {comma} "
        f"THEN array_to_string(list_slice(string_split({after}, ' '), 2, -1), ' ') "
        f"ELSE array_to_string(list_slice({words}, 2, len({words}) - 1), ' ') END, '')"
    )
    surname = f"CASE WHEN {comma} THEN {before} ELSE {words}[-1] END"
    return NameParts(forename, middle, surname)


def split_forenames_sql(forenames: str) -> tuple[str, str]:
    """SQL for (forename, middle names) from forenames in one field, already normalised."""
    return (
        f"NULLIF(split_part({forenames}, ' ', 1), '')",
        f"NULLIF(array_to_string(list_slice(string_split({forenames}, ' '), 2, -1), ' '), '')",
    )


class AddressParts(NamedTuple):
    line: str  # the first part: house number and street, e.g. '12A Acacia Road'
    town: str
    postcode: str  # as written; not checked


def split_address_sql(address: str) -> AddressParts:
    """SQL for the parts of a one-line address, '12A Acacia Road, Town, CK4 7QT': a postcode
    at the end, then the parts between commas (every part is optional)."""
    postcode = f"NULLIF(regexp_extract({address}, {quote_literal(POSTCODE_AT_END)}, 1), '')"
    rest = f"trim(regexp_replace({address}, {quote_literal(POSTCODE_AT_END)}, ''), ' ,')"
    return AddressParts(
        line=f"trim(split_part({rest}, ',', 1))",
        town=f"trim(split_part({rest}, ',', 2))",
        postcode=postcode,
    )
