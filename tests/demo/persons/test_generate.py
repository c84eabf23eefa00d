"""The persons generator's entry points: deterministic, sized as asked, on the demo force's
events or on none, reporting on the caller's progress bar."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.demo.persons.reading import read_extract

from peel.demo.persons import (
    CRIME_RECORDS,
    CUSTODY,
    SOURCES,
    generate_person_extracts,
    generate_person_population,
    load_person_extracts,
    synthesise_events,
)
from peel.warehouse import connect


def test_generate_person_extracts_is_deterministic_for_a_seed(tmp_path):
    crimes, arrests, areas = synthesise_events(400, seed=1)
    first = generate_person_extracts(crimes, arrests, areas, tmp_path / "a", seed=9)
    second = generate_person_extracts(crimes, arrests, areas, tmp_path / "b", seed=9)
    other = generate_person_extracts(crimes, arrests, areas, tmp_path / "c", seed=10)
    assert first["records"] == second["records"] > 0
    for system in SOURCES:
        a, b = read_extract(tmp_path / "a", system), read_extract(tmp_path / "b", system)
        pd.testing.assert_frame_equal(a, b)
    truth_a = pd.read_parquet(tmp_path / "a" / "truth" / "person_records.parquet")
    truth_b = pd.read_parquet(tmp_path / "b" / "truth" / "person_records.parquet")
    pd.testing.assert_frame_equal(truth_a, truth_b)
    # Another seed, another population.
    assert other["records"] > 0
    assert not read_extract(tmp_path / "a", CUSTODY).equals(read_extract(tmp_path / "c", CUSTODY))


def test_generate_person_population_produces_the_requested_count(tmp_path):
    summary = generate_person_population(1234, seed=3, out_dir=tmp_path)
    assert summary["records"] == 1234
    assert sum(len(read_extract(tmp_path, s)) for s in SOURCES) == 1234
    assert len(pd.read_parquet(tmp_path / "truth" / "person_records.parquet")) == 1234


def test_generate_person_extracts_follows_the_demo_force_events(linked_small_demo):
    # The session's small demo force (built once for the run): its persons were generated on
    # its own crimes and arrests, as `peel demo-data` does.
    con = connect(linked_small_demo / "warehouse.duckdb", read_only=True)
    # Victims and suspects point at the force's crimes, arrestees at its arrests.
    unknown = con.execute("""
        SELECT count(*) FROM pole_link l
        WHERE (l.to_kind = 'crime' AND l.to_key NOT IN (SELECT crime_key FROM crime))
           OR (l.to_kind = 'arrest' AND l.to_key NOT IN (SELECT arrest_key FROM arrest))""").fetchone()[
        0
    ]
    assert unknown == 0
    linked = con.execute(
        "SELECT count(*) FROM pole_link WHERE to_kind IN ('crime', 'arrest')"
    ).fetchone()[0]
    assert linked > 100
    # Towns are the force's districts (in this generator's systems; the agenda items' own
    # generators write theirs as their systems do).
    towns = {
        t
        for (t,) in con.execute(
            "SELECT DISTINCT town FROM person_record WHERE town IS NOT NULL AND source_system IN "
            f"({', '.join('?' * len(SOURCES))})", list(SOURCES),
        ).fetchall()
    }
    districts = {
        n.upper()
        for (n,) in con.execute("SELECT area_name FROM area WHERE level = 'district'").fetchall()
    }
    assert towns and towns <= districts
    con.close()


def test_generate_person_extracts_works_without_arrests_and_refuses_no_crimes(tmp_path):
    crimes, arrests, areas = synthesise_events(200, seed=2)
    summary = generate_person_extracts(crimes, arrests.iloc[:0], areas, tmp_path / "a", seed=1)
    assert summary["records_by_source"][CUSTODY] == 0
    assert summary["records_by_source"][CRIME_RECORDS] > 0
    with pytest.raises(ValueError, match="No crimes"):
        generate_person_extracts(crimes.iloc[:0], arrests, areas, tmp_path / "b", seed=1)


def test_generator_and_loader_report_their_steps_on_the_callers_progress_bar(tmp_path):
    from rich.progress import Progress

    crimes, arrests, areas = synthesise_events(200, seed=2)
    bar = Progress(disable=True)  # the caller's: the library opens no display of its own
    generate_person_extracts(crimes, arrests, areas, tmp_path, seed=1, progress=bar)
    con = connect(tmp_path / "warehouse.duckdb")
    load_person_extracts(con, tmp_path, progress=bar)
    con.close()
    steps = [(task.description, task.completed, task.total) for task in bar.tasks]
    assert steps == [("Demo persons", 5, 5), ("Loading person extracts", 4, 4)]
