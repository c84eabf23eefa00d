"""Writing each source system's extract: the records in that system's own columns, names,
date and phone formats, and file type (see docs/demo-persons.md, "The four extracts").

``write_extracts`` writes the four files; DuckDB formats the dates and writes them, as it is
far quicker than pandas at a million records. The incident system's export breaks now and
then (``row_cut_short``): ``_cut_rows_short`` cuts those lines as a failing export does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from peel.demo.datafiles import DATA_FOLDER
from peel.demo.persons.parameters import PHONE_STYLES, WORDS_FILE
from peel.demo.persons.systems import (
    CRIME_RECORDS,
    CUSTODY,
    EXTRACT_FILES,
    INCIDENTS,
    INTELLIGENCE,
    SOURCES,
)
from peel.warehouse.sql import quote_identifier, quote_literal

PHONE_DIGITS = 11  # a UK mobile number as population.py draws it: '07' and nine digits


def compile_phone_style(name: str, template: str) -> Callable[[str], str]:
    """Turn a phone style of data/person_words.yaml into a function writing a number in it:
    each '#' is the number's next digit, '_' skips one, anything else is written as it is."""
    text, digits, position = "", [], 0
    for piece in re.findall(r"#+|_|[^#_]+", template):
        if piece[0] == "#":
            text += "{}"
            digits.append(slice(position, position + len(piece)))
            position += len(piece)
        elif piece == "_":
            position += 1
        else:
            text += piece.replace("{", "{{").replace("}", "}}")
    if position != PHONE_DIGITS:
        raise ValueError(
            f"{DATA_FOLDER}/{WORDS_FILE}: phone style {name} ('{template}') takes {position} "
            f"digits, but a number has {PHONE_DIGITS}: give it {PHONE_DIGITS} '#' or '_'."
        )
    return lambda number: text.format(*(number[d] for d in digits))


# How people write a UK mobile number '07700900123', by style name.
PHONE_FORMATS = {name: compile_phone_style(name, t) for name, t in PHONE_STYLES.items()}


def _format_phone(phones: pd.Series, rng: np.random.Generator, styles: list[str]) -> pd.Series:
    """Write UK mobile numbers ('07...') in a mix of styles, as people type them."""
    numbers = phones.to_numpy(dtype=object)
    choice = rng.integers(0, len(styles), len(numbers))
    known = pd.notna(numbers)
    out = np.full(len(numbers), "", dtype=object)
    for i, style in enumerate(styles):
        sel = known & (choice == i)
        out[sel] = [PHONE_FORMATS[style](p) for p in numbers[sel]]
    return pd.Series(out, index=phones.index)


def _join_address(
    df: pd.DataFrame, with_number: np.ndarray | None = None, upper: bool = False
) -> pd.Series:
    number = df["house_number"].fillna("")
    if with_number is not None:
        number = number.where(with_number, "")
    first = (number + " " + df["street"].fillna("")).str.strip()
    town = df["town"].fillna("")
    if upper:
        first, town = first.str.upper(), town.str.upper()
    parts = [first, town, df["postcode"].fillna("")]
    line = parts[0]
    for p in parts[1:]:
        line = line + np.where((line != "") & (p != ""), ", ", "") + p
    return line


def _join_full_name(
    fore: pd.Series, middle: pd.Series, sur: pd.Series, style: np.ndarray
) -> pd.Series:
    """'SURNAME, Forename Middle' or 'Forename Middle Surname', per record style."""
    given = (fore.fillna("") + " " + middle.fillna("")).str.strip()
    comma = sur.fillna("").str.upper() + ", " + given
    plain = given + " " + sur.fillna("")
    return pd.Series(np.where(style, comma, plain), index=fore.index).str.strip(" ,")


def write_extracts(rec: pd.DataFrame, extracts: Path, rng: np.random.Generator) -> dict[str, Path]:
    """Write each source's records in that system's own columns and formats."""
    extracts.mkdir(parents=True, exist_ok=True)
    paths = {}
    # Only the columns the writers use: copying the whole record table four times was slow.
    used = [
        "source_system",
        "source_record_id",
        "event_ref",
        "role",
        "date",
        "forename",
        "middle_name",
        "surname",
        "date_of_birth",
        "sex",
        "house_number",
        "street",
        "town",
        "postcode",
        "phone",
        "email",
        "pnc_id",
        "grading",
        "district_code",
        "lsoa_code",
        "incident_type",
        "vrm",
        "err_row_cut_short",
    ]
    system = rec["source_system"].to_numpy()
    by_source = {s: rec.loc[system == s, used] for s in SOURCES}
    sex_words = {"M": "Male", "F": "Female"}

    d = by_source[CRIME_RECORDS]
    out = pd.DataFrame(
        {
            "NOMINAL_ID": d["source_record_id"],
            "CRIME_REF": d["event_ref"],
            "INVOLVEMENT": d["role"].str.upper(),
            "SURNAME": d["surname"].str.upper(),
            "FORENAMES": (d["forename"] + " " + d["middle_name"].fillna("")).str.strip(),
            "DOB": d["date_of_birth"],
            "SEX": d["sex"],
            "HOUSE_NO": d["house_number"],
            "STREET": d["street"],
            "TOWN": d["town"],
            "POSTCODE": d["postcode"],
            "TELEPHONE": _format_phone(d["phone"], rng, ["plain", "spaced"]),
            "EMAIL": d["email"],
            "DATE_RECORDED": d["date"],
        }
    )
    paths[CRIME_RECORDS] = extracts / EXTRACT_FILES[CRIME_RECORDS]
    _write_extract(out, paths[CRIME_RECORDS], {"DOB": "%Y-%m-%d", "DATE_RECORDED": "%Y-%m-%d"})

    d = by_source[CUSTODY]
    out = pd.DataFrame(
        {
            "CustodyNo": d["source_record_id"],
            "ArrestRef": d["event_ref"],
            "PNCID": d["pnc_id"],
            "Surname": d["surname"],
            "Forename": d["forename"],
            "MiddleNames": d["middle_name"],
            "DateOfBirth": d["date_of_birth"],
            "Gender": d["sex"].map(sex_words),
            "HomeAddress": _join_address(d),
            "ContactNumber": _format_phone(d["phone"], rng, ["intl", "intl", "plain"]),
            "ArrestDate": d["date"],
        }
    )
    paths[CUSTODY] = extracts / EXTRACT_FILES[CUSTODY]
    _write_extract(out, paths[CUSTODY], {"DateOfBirth": "%d/%m/%Y", "ArrestDate": "%d/%m/%Y"})

    d = by_source[INTELLIGENCE]
    style = rng.random(len(d)) < 0.6
    # Intelligence often knows the street but not the house.
    with_number = rng.random(len(d)) < 0.6
    out = pd.DataFrame(
        {
            "subject_ref": d["source_record_id"],
            "report_ref": d["event_ref"],
            "report_date": d["date"],
            "grading": d["grading"],
            "district": d["district_code"],
            "subject_name": _join_full_name(d["forename"], d["middle_name"], d["surname"], style),
            "dob": d["date_of_birth"],
            "sex": d["sex"].map({"M": "male", "F": "female"}),
            "last_known_address": _join_address(d, with_number),
            "phone": _format_phone(d["phone"], rng, ["plain", "spaced", "intl_plain"]),
            "pnc": d["pnc_id"],
            "vehicles": d["vrm"],
        }
    )
    paths[INTELLIGENCE] = extracts / EXTRACT_FILES[INTELLIGENCE]
    _write_extract(out, paths[INTELLIGENCE], {"report_date": "%d-%b-%Y", "dob": "%d-%b-%Y"})

    d = by_source[INCIDENTS]
    call_time = d["date"] + pd.to_timedelta(rng.integers(0, 24 * 60, len(d)), unit="min")
    # Call handlers type names as heard: some all in capitals, some all in lower case.
    name = _join_full_name(
        d["forename"],
        d["middle_name"].where(rng.random(len(d)) < 0.3),
        d["surname"],
        np.zeros(len(d), dtype=bool),
    )
    case = rng.integers(0, 3, len(d))
    name = pd.Series(
        np.select([case == 0, case == 1], [name.str.upper(), name.str.lower()], name), index=d.index
    )
    out = pd.DataFrame(
        {
            "INCIDENT_NO": d["event_ref"],
            "CALL_DATETIME": call_time,
            "INCIDENT_TYPE": d["incident_type"],
            "LSOA": d["lsoa_code"],
            "PERSON_REF": d["source_record_id"],
            "PERSON_TYPE": d["role"].map({"caller": "CALLER", "subject": "INVOLVED"}),
            "NAME": name,
            "DOB": d["date_of_birth"],
            "PHONE": _format_phone(d["phone"], rng, ["plain", "spaced", "intl", "brackets"]),
            "ADDRESS": _join_address(d, upper=True),
        }
    )
    paths[INCIDENTS] = extracts / EXTRACT_FILES[INCIDENTS]
    _write_extract(out, paths[INCIDENTS], {"CALL_DATETIME": "%d/%m/%Y %H:%M", "DOB": "%d/%m/%Y"})
    _cut_rows_short(paths[INCIDENTS], d["err_row_cut_short"].to_numpy(), keep_fields=6)
    return paths


def _cut_rows_short(path: Path, cut: np.ndarray, keep_fields: int) -> None:
    """Break the flagged rows of a written CSV as a failing export does: only the first
    ``keep_fields`` fields survive. Rows are one line each (no value holds a line break)."""
    if not cut.any():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for row in np.flatnonzero(cut):
        fields = next(csv.reader([lines[row + 1]]))[:keep_fields]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(fields)
        lines[row + 1] = buffer.getvalue()
    path.write_text("".join(lines), encoding="utf-8")


def _write_extract(frame: pd.DataFrame, path: Path, date_formats: dict[str, str]) -> None:
    """Write one extract (CSV, or Parquet by its suffix) as text, dates in the system's format.

    DuckDB does the formatting and writing: pandas' strftime and to_csv took most of the time
    of a million-record run.
    """
    frame = frame.copy()
    for col in frame.columns:
        if col not in date_formats:
            frame[col] = frame[col].astype("string").replace("", pd.NA)
    select = ", ".join(
        f"strftime({quote_identifier(col)}, {quote_literal(date_formats[col])}) AS {quote_identifier(col)}"
        if col in date_formats
        else quote_identifier(col)
        for col in frame.columns
    )
    options = "FORMAT parquet" if path.suffix == ".parquet" else "FORMAT csv, HEADER true"
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("extract", frame)
        con.execute(f"COPY (SELECT {select} FROM extract) TO {quote_literal(path)} ({options})")
    finally:
        con.close()
