"""Loads publish a new generation of the warehouse; readers keep the one they opened."""

import os
from datetime import UTC, datetime

import pytest
from tests.warehouse.holder import warehouse_held_open

from peel.settings import get_settings
from peel.warehouse import (
    WarehouseBusy,
    connect,
    generations,
    open_batch,
    open_snapshot,
    open_writer,
    snapshot,
)


def count_batches(con) -> int:
    return con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0]


def load_one_batch(con) -> None:
    with open_batch(con, "test"):
        pass


def test_open_writer_publishes_a_new_generation_while_a_reader_keeps_its_own(peel_home):
    con = connect()  # a warehouse from before generations: one plain file
    load_one_batch(con)
    con.close()
    reader = connect(read_only=True)
    with open_writer() as writer:
        load_one_batch(writer)
        assert count_batches(reader) == 1, "a reader never sees a load before it is published"
    assert count_batches(reader) == 1, "a reader keeps the generation it opened"
    reader.close()
    name = get_settings().warehouse_path
    assert os.readlink(name) == "warehouse-1.duckdb"
    with connect(read_only=True) as newest:
        assert count_batches(newest) == 2


def test_open_writer_throws_the_generation_away_on_an_error(peel_home):
    with open_writer() as con:
        load_one_batch(con)
    with pytest.raises(ValueError), open_writer() as con:
        load_one_batch(con)
        raise ValueError("the load failed")
    name = get_settings().warehouse_path
    assert os.readlink(name) == "warehouse-1.duckdb"
    assert not (peel_home / "warehouse-2.duckdb").exists()
    with connect(read_only=True) as con:
        assert count_batches(con) == 1


def test_open_writer_lets_one_load_write_at_a_time(peel_home):
    with open_writer(), pytest.raises(WarehouseBusy) as refused, open_writer():
        pass
    assert f"Another load is writing the warehouse {get_settings().warehouse_path} (PID {os.getpid()})" in str(
        refused.value)
    with open_writer() as con:  # the lock went with the first load
        load_one_batch(con)


def test_open_writer_says_the_warehouse_is_in_use_when_a_program_writes_it_in_place(peel_home):
    connect().close()
    with warehouse_held_open(get_settings().warehouse_path), pytest.raises(WarehouseBusy) as refused, \
            open_writer():
        pass
    assert "is in use by another process" in str(refused.value)
    assert generations.list_generations(get_settings().warehouse_path) == []


def test_open_writer_keeps_the_newest_two_generations(peel_home):
    for _ in range(4):
        with open_writer() as con:
            load_one_batch(con)
    name = get_settings().warehouse_path
    assert [f.name for f in generations.list_generations(name)] == ["warehouse-3.duckdb", "warehouse-4.duckdb"]
    assert not (peel_home / "warehouse.lock").read_text(), "no writer's id is left once it is done"


def test_open_snapshot_reads_one_generation_for_the_whole_block(peel_home):
    with open_writer() as con:
        load_one_batch(con)
    with open_snapshot() as before:
        with open_writer() as con:
            load_one_batch(con)
        assert count_batches(before) == 1
        with open_snapshot() as after:
            assert count_batches(after) == 2
    assert list(generations._readers) == [peel_home / "warehouse-2.duckdb"], (
        "the older generation's connection closes with its last reader")
    generations.close_snapshots()
    assert generations._readers == {}


def test_open_snapshot_without_a_warehouse_says_load_data_first(peel_home):
    with pytest.raises(FileNotFoundError, match="Load data first"), open_snapshot():
        pass


def test_snapshot_names_the_generation_and_when_it_was_published(peel_home):
    with open_writer() as con:
        load_one_batch(con)
    published = datetime.fromtimestamp(os.stat(peel_home / "warehouse-1.duckdb").st_mtime, UTC)
    with open_snapshot() as con:
        described = snapshot(con)
    generations.close_snapshots()
    assert described["generation"] == 1
    assert described["published_at"] == published.isoformat(timespec="seconds")
    assert described["latest_batch"] == 1


def test_connect_to_write_closes_this_process_idle_snapshot_first(peel_home):
    connect().close()
    with open_snapshot() as con:
        assert count_batches(con) == 0
    con = connect()  # the kept read-only connection is idle: it gives way
    load_one_batch(con)
    con.close()
    with open_snapshot() as con:
        assert count_batches(con) == 1
        with pytest.raises(WarehouseBusy, match="open for reading in this process"):
            connect()
    generations.close_snapshots()


def test_remember_works_a_value_out_once_per_generation(peel_home):
    with open_writer() as con:
        load_one_batch(con)
    computed = []

    def count(con) -> int:
        computed.append(1)
        return count_batches(con)

    with open_snapshot() as first, open_snapshot() as second:
        assert generations.remember(first, "batches", (), lambda: count(first)) == 1
        assert generations.remember(second, "batches", (), lambda: count(second)) == 1
    assert len(computed) == 1, "the second reader of the generation gets the kept value"
    with open_writer() as con:
        load_one_batch(con)
    with open_snapshot() as con:
        assert generations.remember(con, "batches", (), lambda: count(con)) == 2, "a new generation starts empty"
    generations.close_snapshots()
    with connect(read_only=True) as con:
        generations.remember(con, "batches", (), lambda: count(con))
        generations.remember(con, "batches", (), lambda: count(con))
    assert len(computed) == 4, "a connection of its own is no snapshot's: worked out every time"


def test_remember_keeps_the_newest_values_of_a_kind(peel_home):
    connect().close()
    with open_snapshot() as con:
        for n in range(generations.KEEP_PER_KIND + 1):
            generations.remember(con, "square", n, lambda n=n: n * n)
        assert generations.remember(con, "square", 0, lambda: "worked out again") == "worked out again"
        assert generations.remember(con, "square", 5, lambda: "worked out again") == 25
    generations.close_snapshots()
