"""Results kept beside the warehouse per published generation (peel.warehouse.derived)."""

import os
import shutil

import duckdb
import pandas as pd
import pytest

from peel.warehouse import connect, open_writer
from peel.warehouse.derived import get_derived_path, keep_derived, list_derived
from peel.warehouse.generations import get_current_file, get_name


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(tmp_path))
    with open_writer() as con:
        con.execute("CREATE TABLE figures AS SELECT 1 AS x")
    return tmp_path


def counting(table: pd.DataFrame):
    calls = []

    def compute():
        calls.append(1)
        return table

    return compute, calls


TABLE = pd.DataFrame({"district": ["E1", "E2"], "officers": [3.0, None], "share": [0.1 + 0.2, 1 / 3],
                      "note": ["", "out of reach"]})


def test_the_same_generation_and_key_reuse_the_table_exactly(home):
    compute, calls = counting(TABLE)
    for _ in range(2):  # two processes' connections to the one generation
        with duckdb.connect(str(get_current_file(get_name())), read_only=True) as con:
            kept = keep_derived(con, "test.kind", {"week": "2026-03-02", "seed": 0}, compute)
            pd.testing.assert_frame_equal(kept, TABLE)
    assert len(calls) == 1
    [entry] = list_derived(get_current_file(get_name()))
    assert entry["kind"] == "test.kind" and entry["key"] == {"seed": 0, "week": "2026-03-02"}
    assert entry["generation"].startswith("warehouse-1.duckdb:")


def test_another_key_or_a_new_generation_works_it_out_again(home):
    compute, calls = counting(TABLE)

    def kept(key):
        with duckdb.connect(str(get_current_file(get_name())), read_only=True) as con:
            return keep_derived(con, "test.kind", key, compute)

    kept({"seed": 0})
    kept({"seed": 1})
    assert len(calls) == 2
    with open_writer() as con:  # a new load: generation 2
        con.execute("INSERT INTO figures VALUES (2)")
    kept({"seed": 0})
    assert len(calls) == 3
    assert {e["generation"].split(":")[0] for e in list_derived(get_current_file(get_name()))} == {
        "warehouse-1.duckdb", "warehouse-2.duckdb"}


def test_an_older_generation_still_kept_keeps_its_own_entry(home):
    compute, calls = counting(TABLE)
    first = get_current_file(get_name())
    with open_writer() as con:
        con.execute("INSERT INTO figures VALUES (2)")
    for file in (first, get_current_file(get_name()), first):
        with duckdb.connect(str(file), read_only=True) as con:
            keep_derived(con, "test.kind", {"seed": 0}, compute)
    assert len(calls) == 2


def test_a_connection_that_may_write_works_it_out_every_time(home):
    compute, calls = counting(TABLE)
    con = connect()
    try:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
        keep_derived(con, "test.kind", {"seed": 0}, compute)
    finally:
        con.close()
    assert len(calls) == 2 and not get_derived_path(get_current_file(get_name())).exists()


def test_a_rewritten_file_under_the_same_name_is_a_new_generation(home):
    compute, calls = counting(TABLE)
    file = get_current_file(get_name())
    with duckdb.connect(str(file), read_only=True) as con:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
    copy = file.with_name("copy.duckdb")
    shutil.copyfile(file, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("INSERT INTO figures VALUES (3)")
    os.replace(copy, file)
    with duckdb.connect(str(file), read_only=True) as con:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
    assert len(calls) == 2


def test_entries_of_removed_generations_are_dropped(home):
    compute, calls = counting(TABLE)
    with duckdb.connect(str(get_current_file(get_name())), read_only=True) as con:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
    for value in (2, 3, 4):  # generation 1 goes (not the newest two, nor the day's newest)
        with open_writer() as con:
            con.execute(f"INSERT INTO figures VALUES ({value})")
    with duckdb.connect(str(get_current_file(get_name())), read_only=True) as con:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
    assert len(calls) == 2 and [e["generation"].split(":")[0] for e in list_derived(
        get_current_file(get_name()))] == ["warehouse-4.duckdb"]


def test_a_derived_file_another_connection_holds_gives_the_value_without_keeping_it(home):
    compute, calls = counting(TABLE)
    file = get_current_file(get_name())
    with duckdb.connect(str(file), read_only=True) as con:
        keep_derived(con, "test.kind", {"seed": 0}, compute)
        with duckdb.connect(str(get_derived_path(file)), read_only=True):  # a reader elsewhere in the process
            pd.testing.assert_frame_equal(keep_derived(con, "test.kind", {"seed": 1}, compute), TABLE)
    assert len(calls) == 2 and [e["key"] for e in list_derived(file)] == [{"seed": 0}]
