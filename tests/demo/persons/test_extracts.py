"""Each source system's extract, in its own columns, date formats and file type."""

from __future__ import annotations

import pytest
from tests.demo.persons.reading import read_extract

from peel.demo.persons import (
    CRIME_RECORDS,
    CUSTODY,
    EXTRACT_FILES,
    INCIDENTS,
    INTELLIGENCE,
    SOURCES,
    generate_person_extracts,
    synthesise_events,
)


def test_write_extracts_writes_each_source_in_its_own_format(population):
    out = population["dir"]
    headers = {s: tuple(read_extract(out, s).columns) for s in SOURCES}
    assert len(set(headers.values())) == 4
    assert not set(headers[CRIME_RECORDS]) & set(headers[CUSTODY])
    assert (out / "extracts" / EXTRACT_FILES[INTELLIGENCE]).suffix == ".parquet"
    date_patterns = {
        (CRIME_RECORDS, "DOB"): r"\d{4}-\d{2}-\d{2}",
        (CUSTODY, "DateOfBirth"): r"\d{2}/\d{2}/\d{4}",
        (INTELLIGENCE, "dob"): r"\d{2}-[A-Z][a-z]{2}-\d{4}",
        (INCIDENTS, "CALL_DATETIME"): r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}",
    }
    for (system, column), pattern in date_patterns.items():
        values = read_extract(out, system)[column].dropna()
        values = values[values != ""]
        assert len(values) > 0
        assert values.str.fullmatch(pattern).all(), f"{system}.{column} not all {pattern}"
    # Custody and incidents write the address on one line; crime records split it.
    assert "POSTCODE" in headers[CRIME_RECORDS] and "HomeAddress" in headers[CUSTODY]
    # Intelligence writes the name in one field, in two orders.
    names = read_extract(out, INTELLIGENCE)["subject_name"].dropna()
    assert names.str.contains(",").any() and (~names.str.contains(",")).any()


def test_compile_phone_style_writes_the_styles_the_docs_show():
    from peel.demo.persons.extracts import PHONE_FORMATS

    written = {name: write("07700900123") for name, write in PHONE_FORMATS.items()}
    assert written == {
        "plain": "07700900123",
        "spaced": "07700 900123",
        "intl": "+44 7700 900123",
        "intl_plain": "+447700900123",
        "brackets": "(07700) 900 123",
    }


def test_compile_phone_style_refuses_a_style_of_the_wrong_length():
    from peel.demo.persons.extracts import compile_phone_style

    with pytest.raises(ValueError, match=r"person_words.yaml: phone style short \('#### ###'\)"):
        compile_phone_style("short", "#### ###")


def test_write_extracts_writes_into_a_folder_whose_name_has_quotes(tmp_path):
    crimes, arrests, areas = synthesise_events(100, seed=4)
    out = tmp_path / """O'Brien's "extracts\""""
    summary = generate_person_extracts(crimes, arrests, areas, out, seed=4)
    assert sum(len(read_extract(out, s)) for s in SOURCES) == summary["records"] > 0
