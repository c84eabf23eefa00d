"""Normalisation before comparison: names, nicknames, postcodes, phones, dates, marks."""

from __future__ import annotations

import duckdb
import pandas as pd

from peel.linkage.prepare import normalise_registration_sql, prepare_persons, unreadable_dates


def _prepare(rows: list[dict], **kwargs) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("raw_frame", pd.DataFrame(rows))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_frame")
    prepare_persons(con, "raw", "prepared", **kwargs)
    return con.execute("SELECT * FROM prepared ORDER BY unique_id").df().set_index("unique_id")


def test_prepare_persons_normalises_uk_fields():
    out = _prepare([
        {"unique_id": "1", "forename": " Bob ", "surname": "O'Brien-Smith", "postcode": "ck95yg",
         "phone": "+44 7700 900123", "date_of_birth": "03/04/1990", "address": "12a High St.",
         "email": " Bob@Example.ORG "},
    ]).loc["1"]
    assert out.forename == "bob" and out.forename_canon == "robert"
    assert out.surname == "o'brien-smith"
    assert out.postcode == "CK9 5YG"
    assert out.phone == "07700900123"
    assert out.date_of_birth == "1990-04-03"  # UK day-first: 3 April
    assert out.house_number == "12a" and out.address == "high st"
    assert out.email == "bob@example.org"


def test_prepare_persons_splits_full_names_and_orders_names():
    out = _prepare([
        {"unique_id": "1", "full_name": "SMITH, John Paul"},
        {"unique_id": "2", "full_name": "John Paul Smith"},
        {"unique_id": "3", "full_name": "Madonna"},
    ])
    assert list(out.forename[:2]) == ["john", "john"]
    assert list(out.surname) == ["smith", "smith", "madonna"]
    assert pd.isna(out.loc["3", "forename"])
    assert out.loc["1", "name_sorted"] == "john smith"



def test_prepare_persons_reads_a_comma_before_a_title_or_suffix_as_part_of_the_name():
    """Only 'SURNAME, Forename' is read surname first: a comma before a title, an ordinal or a
    suffix ('Thomas Clifford, 1st Baron Clifford of Chudleigh', 'John Smith, Jr') is not, and
    a leading title is dropped."""
    out = _prepare([
        {"unique_id": "1", "full_name": "thomas clifford, 1st baron clifford of chudleigh"},
        {"unique_id": "2", "full_name": "John Smith, Jr"},
        {"unique_id": "3", "full_name": "Mr. John Smith"},
        {"unique_id": "4", "full_name": "CLIFFORD, Thomas"},
    ])
    assert list(out.forename) == ["thomas", "john", "john", "thomas"]
    assert list(out.surname) == ["clifford", "smith", "smith", "clifford"]

def test_prepare_persons_says_why_a_record_cannot_be_linked():
    out = _prepare([
        {"unique_id": "1", "forename": None, "date_of_birth": "not a date"},
        {"unique_id": "2", "forename": "Ann", "date_of_birth": "31/02/1990"},
    ])
    assert "date of birth not understood" in out.loc["1", "prepare_note"]
    assert "singleton" in out.loc["1", "prepare_note"]
    # An impossible date is a typo, kept as text to be compared as one.
    assert out.loc["2", "date_of_birth"] == "1990-02-31"
    assert out.loc["2", "prepare_note"] == ""


def test_prepare_persons_keeps_every_date_of_birth_of_any_year_and_typos():
    out = _prepare([
        {"unique_id": "1", "date_of_birth": "1856-05-13"},
        {"unique_id": "2", "date_of_birth": "1956-13-05"},
        {"unique_id": "3", "date_of_birth": "1956-05-13 00:00:00"},
        {"unique_id": "4", "date_of_birth": "1956-05-13T10:00:00Z"},
        {"unique_id": "5", "date_of_birth": "05/13/1956"},
        {"unique_id": "6", "date_of_birth": "13/5/56"},
        {"unique_id": "7", "date_of_birth": "2031-01-01"},
    ])
    assert list(out.date_of_birth) == ["1856-05-13", "1956-13-05", "1956-05-13", "1956-05-13",
                                       "1956-13-05", "2056-05-13", "2031-01-01"]


def test_prepare_persons_reads_date_and_timestamp_columns():
    con = duckdb.connect()
    con.execute("CREATE TABLE raw AS SELECT * FROM (VALUES ('1', TIMESTAMP '1850-02-03 04:05:06', "
                "DATE '1850-02-03')) t(unique_id, date_of_birth, other)")
    prepare_persons(con, "raw", "prepared")
    assert con.execute("SELECT date_of_birth FROM prepared").fetchall() == [("1850-02-03",)]


def test_unreadable_dates_counts_them_by_shape_without_their_digits():
    con = duckdb.connect()
    con.execute("CREATE TABLE raw AS SELECT * FROM (VALUES ('1', 'unknown'), ('2', '12.3'), "
                "('3', '45.6'), ('4', '1990-01-02')) t(unique_id, date_of_birth)")
    prepare_persons(con, "raw", "prepared")
    assert unreadable_dates(con, "raw", "prepared") == (3, [("99.9", 2), ("unknown", 1)])


def test_prepare_persons_uses_the_mapping_date_format():
    out = _prepare([{"unique_id": "1", "date_of_birth": "19560415"}], date_formats=["%Y%m%d"])
    assert out.loc["1", "date_of_birth"] == "1956-04-15"


def test_normalise_registration_sql_removes_spaces_and_case():
    con = duckdb.connect()
    sql = normalise_registration_sql("'ab12 cde'")
    assert con.execute(f"SELECT {sql}").fetchall()[0][0] == "AB12CDE"
