"""The one quoting helper: names and values from mappings and files reach SQL intact."""

import duckdb
import pytest

from peel.warehouse.sql import literal_list, literal_tuple, quote_identifier, quote_literal


@pytest.mark.parametrize("name", ["soc sec", 'say "hi"', "O'Brien", "select", "ünïcode", "a;drop table x"])
def test_quote_identifier_round_trips_any_column_name(name):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({quote_identifier(name)} VARCHAR)")
    con.execute(f"INSERT INTO t ({quote_identifier(name)}) VALUES ('v')")
    assert con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 't'").fetchone()[0] == name
    assert con.execute(f"SELECT {quote_identifier(name)} FROM t").fetchone()[0] == "v"


@pytest.mark.parametrize("value", ["plain", "O'Brien", "''", "%d/%m/%Y", "a\\b"])
def test_quote_literal_round_trips_any_value(value):
    assert duckdb.connect().execute(f"SELECT {quote_literal(value)}").fetchone()[0] == value


def test_literal_list_and_tuple_hold_each_value():
    values = ["a", "b'c", "d"]
    assert duckdb.connect().execute(f"SELECT {literal_list(values)}").fetchone()[0] == values
    assert duckdb.connect().execute(f"SELECT 'b''c' IN {literal_tuple(values)}").fetchone()[0] is True


def test_a_nul_character_is_refused_with_a_message():
    with pytest.raises(ValueError, match="NUL"):
        quote_identifier("a\x00b")
    with pytest.raises(ValueError, match="NUL"):
        quote_literal("a\x00b")
