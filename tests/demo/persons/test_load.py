"""Loading the four extracts through their mappings: every record, its links and its dates;
the rows a broken export cut short quarantined; an earlier demo replaced whole."""

from __future__ import annotations

import pandas as pd
from tests.demo.persons.reading import read_extract

from peel.demo.persons import CUSTODY, INCIDENTS, generate_person_population, load_person_extracts
from peel.warehouse import connect


def test_load_person_extracts_loads_every_record_with_its_links(population):
    con, summary = population["con"], population["summary"]
    truth = pd.read_parquet(population["dir"] / "truth" / "person_records.parquet")
    cut = truth[truth["err_row_cut_short"]]
    # Every record loads except the rows the incident export broke: those are quarantined,
    # each with its line and the reason.
    assert 0 < len(cut) < 30 and set(cut["source_system"]) == {INCIDENTS}
    loaded = {k for (k,) in con.execute("SELECT record_key FROM person_record").fetchall()}
    assert loaded == set(truth["record_key"]) - set(cut["record_key"])
    quarantined = con.execute("SELECT source_system, line, reason, raw FROM quarantine").fetchall()
    assert len(quarantined) == len(cut)
    assert all(
        q[0] == INCIDENTS and "expected 10 fields" in q[2] and "found 6" in q[2]
        for q in quarantined
    )
    ids = read_extract(population["dir"], INCIDENTS)["PERSON_REF"].tolist()
    lines = {ids.index(k.split(":", 1)[1]) + 2 for k in cut["record_key"]}
    assert {q[1] for q in quarantined} == lines
    by_source = dict(
        con.execute("SELECT source_system, count(*) FROM person_record GROUP BY 1").fetchall()
    )
    expected = dict(summary["records_by_source"])
    expected[INCIDENTS] -= len(cut)
    assert by_source == expected
    links = dict(
        con.execute(
            "SELECT link_type || '->' || to_kind, count(*) FROM pole_link GROUP BY 1"
        ).fetchall()
    )
    for link in (
        "victim->crime",
        "suspect->crime",
        "arrestee->arrest",
        "subject->event",
        "caller->event",
        "drives->object",
        "resides_at->address",
    ):
        assert links.get(link, 0) > 0, link
    events = dict(con.execute("SELECT event_type, count(*) FROM event GROUP BY 1").fetchall())
    assert events["incident"] > 0 and events["intelligence"] > 0
    # Every record's event is one the loader wrote or one the crime/custody systems hold.
    dangling = con.execute("""
        SELECT count(*) FROM person_record r
        WHERE r.source_system IN ('demo_intelligence', 'demo_incidents')
          AND r.event_key NOT IN (SELECT event_key FROM event)""").fetchone()[0]
    assert dangling == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 4


def test_load_person_extracts_parses_every_date_written(population, measured):
    # Every date of birth the extracts hold parses, and parses to the value written.
    unparsed = measured[measured["date_of_birth_raw"].notna() & measured["date_of_birth"].isna()]
    assert len(unparsed) == 0
    assert measured["recorded_date"].notna().all()
    clean = measured[measured["source_system"] == CUSTODY]
    clean = clean[clean["date_of_birth"].notna()]
    assert (
        pd.to_datetime(clean["date_of_birth"]) == pd.to_datetime(clean["true_dob"])
    ).mean() > 0.97


def test_load_person_extracts_replaces_an_earlier_demo_whole(tmp_path):
    con = connect(tmp_path / "warehouse.duckdb")
    generate_person_population(1500, seed=1, out_dir=tmp_path / "big")
    load_person_extracts(con, tmp_path / "big")
    small = generate_person_population(600, seed=2, out_dir=tmp_path / "small")
    load_person_extracts(con, tmp_path / "small")
    truth = pd.read_parquet(tmp_path / "small" / "truth" / "person_records.parquet")
    expected = set(truth.loc[~truth["err_row_cut_short"], "record_key"])
    loaded = {k for (k,) in con.execute("SELECT record_key FROM person_record").fetchall()}
    assert loaded == expected and small["records"] == 600
    stale = con.execute("""SELECT count(*) FROM pole_link
                           WHERE from_key NOT IN (SELECT record_key FROM person_record)""").fetchone()[
        0
    ]
    assert stale == 0
    con.close()
