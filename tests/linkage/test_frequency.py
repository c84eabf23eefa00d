"""How common a name is (peel.linkage.frequency): a whole name's frequency and chance
agreement come from its forename and surname, not from counting whole names, which counts a
person's own records as chance."""

from __future__ import annotations

import duckdb
import pytest

from peel.linkage.frequency import adjusted_columns, frequency_sql, name_agreement_u

# Six records: "ann smith" twice (one person's two records), three other names.
NAMES = [("ann", "smith"), ("ann", "smith"), ("ann", "jones"), ("bob", "smith"),
         ("cat", "brown"), ("dan", "brown")]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE TABLE people (forename TEXT, surname TEXT, name_sorted TEXT, town TEXT)")
    con.executemany("INSERT INTO people VALUES (?, ?, ?, ?)",
                    [(f, s, f"{s} {f}", town) for (f, s), town
                     in zip(NAMES, ["ely", "ely", "ely", "ware", "ware", "ware"], strict=True)])
    yield con
    con.close()


def test_name_agreement_u_is_the_forename_share_times_the_surname_share(con):
    forename = 3 / 15  # ann x3: 3 agreeing pairs of 15
    surname = (3 + 1) / 15  # smith x3, brown x2
    assert name_agreement_u(con, "people") == pytest.approx(forename * surname)


def test_name_agreement_u_is_none_when_no_two_records_share_a_forename(con):
    con.execute("UPDATE people SET forename = forename || rowid")
    assert name_agreement_u(con, "people") is None


def test_frequency_sql_gives_a_whole_name_its_forename_and_surname_shares(con):
    tf = dict(con.execute(frequency_sql("people", "name_sorted")).fetchall())
    assert tf["smith ann"] == pytest.approx(3 / 6 * 3 / 6)  # not 2/6: its count of whole names
    assert tf["brown cat"] == pytest.approx(1 / 6 * 2 / 6)
    assert set(tf) == {f"{s} {f}" for f, s in NAMES}


def test_frequency_sql_gives_any_other_column_its_share_of_records(con):
    con.execute("UPDATE people SET town = NULL WHERE forename = 'dan'")
    assert dict(con.execute(frequency_sql("people", "town")).fetchall()) == {
        "ely": pytest.approx(3 / 5), "ware": pytest.approx(2 / 5)}


def test_adjusted_columns_lists_each_frequency_adjusted_column_once():
    model = {"comparisons": [
        {"comparison_levels": [{"tf_adjustment_column": "name_sorted"}, {}]},
        {"comparison_levels": [{"tf_adjustment_column": "date_of_birth"},
                               {"tf_adjustment_column": "date_of_birth"}]}]}
    assert adjusted_columns(model) == ["date_of_birth", "name_sorted"]
