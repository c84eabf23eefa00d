"""`peel link` on the warehouse: entities, pairs, links, stable ids and review decisions."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import JOB_PURPOSE
from tests.linkage.people import load_people, make_people, record_decision
from typer.testing import CliRunner

from peel.cli import app
from peel.linkage.evaluate import evaluate_clusters
from peel.linkage.warehouse_run import evaluate_demo, link_warehouse
from peel.warehouse import connect

runner = CliRunner()


def _entities(run_id: int | None = None) -> pd.Series:
    con = connect(read_only=True)
    run = run_id or con.execute("SELECT max(run_id) FROM linkage_run").fetchall()[0][0]
    frame = con.execute(
        "SELECT record_key, entity_id FROM linkage_entity WHERE run_id = ?", [run]).df()
    con.close()
    return frame.set_index("record_key")["entity_id"]


def test_link_resolves_warehouse_persons_into_entities_and_links(peel_home, service_job):
    people = make_people()
    con = connect()
    load_people(con, people)
    con.close()
    result = runner.invoke(app, ["link", *JOB_PURPOSE])
    assert result.exit_code == 0, result.output
    entities = _entities()
    assert len(entities) == len(people)
    measures = evaluate_clusters(entities, people.set_index("record_key")["true_person_id"])
    assert measures.f1 >= 0.95, measures
    con = connect(read_only=True)
    run = con.execute("SELECT run_id, records, entities, match_threshold FROM linkage_run").fetchall()
    assert run[0][1] == len(people) and run[0][2] == entities.nunique()
    links = dict(con.execute(
        "SELECT to_kind, count(*) FROM linkage_entity_link GROUP BY 1").fetchall())
    assert links["address"] > 0
    pairs = con.execute("SELECT count(*) FROM linkage_pair WHERE record_key_l < record_key_r").fetchall()
    assert pairs[0][0] > 0
    con.close()


def test_link_keeps_entity_ids_stable_when_a_record_is_added(peel_home):
    people = make_people(seed=5)
    con = connect()
    load_people(con, people)
    con.close()
    link_warehouse()
    before = _entities()
    # A new source later records a known person again: it joins that person's entity.
    known = people.iloc[0]
    extra = people.iloc[[0]].assign(source_system="test_firearms", source_record_id="FA1",
                                    record_key="test_firearms:FA1")
    con = connect()
    load_people(con, extra, source_system="test_firearms")
    con.close()
    link_warehouse()
    after = _entities()
    assert after["test_firearms:FA1"] == before[known.record_key]
    unchanged = (after.reindex(before.index) == before).mean()
    assert unchanged == 1.0


def test_review_decisions_override_the_model(peel_home):
    people = make_people(seed=9)
    con = connect()
    load_people(con, people)
    con.close()
    link_warehouse()
    entities = _entities()
    # Two records the model put together, and two it kept apart.
    sizes = entities.value_counts()
    # Two records of the largest entity that differ: records identical on every field are
    # one record to the model, so a decision between them cannot keep them apart.
    members = entities[entities == sizes.index[0]].index
    values = people.set_index("record_key").drop(columns=["source_system", "source_record_id"])
    other = next(k for k in members[1:] if not values.loc[k].equals(values.loc[members[0]]))
    together = [members[0], other]
    apart = [entities.index[0], entities[entities != entities.iloc[0]].index[0]]
    record_decision(together[0], together[1], "non_match", "analyst-1", "different people")
    record_decision(apart[0], apart[1], "match", "analyst-1", "same person")
    summary = link_warehouse()
    assert summary["review_decisions"] == 2
    entities = _entities()
    assert entities[together[0]] != entities[together[1]]
    assert entities[apart[0]] == entities[apart[1]]
    con = connect(read_only=True)
    decided = con.execute(
        "SELECT decision, match_probability FROM linkage_pair WHERE run_id = ? "
        "AND decision IS NOT NULL ORDER BY decision", [summary["run_id"]]).fetchall()
    con.close()
    assert ("match", 1.0) in decided


def test_link_fails_clearly_on_an_empty_warehouse(peel_home, service_job):
    result = runner.invoke(app, ["link", *JOB_PURPOSE])
    assert result.exit_code == 2
    assert "no person records" in result.output


def test_evaluate_demo_before_any_run_says_so_and_releases_the_warehouse(peel_home, tmp_path):
    connect().close()
    truth = tmp_path / "truth.parquet"
    pd.DataFrame({"record_key": ["a"], "true_person_id": [1]}).to_parquet(truth)
    with pytest.raises(ValueError, match="No linkage run") as raised:
        evaluate_demo(truth)
    # The read-only connection is closed, even while the error (and its traceback) is kept:
    # a writer can open the warehouse in this process.
    connect().close()
    assert raised.value


def test_link_attaches_a_name_only_record_only_to_the_one_entity_with_that_name(peel_home):
    people = make_people(seed=13)
    base = {"postcode": None, "house_number": None, "street": None, "town": None, "phone": None}
    extra = pd.DataFrame([
        # Ulric Vane: one person with two full records, then a record with only his name.
        {**base, "source_record_id": "UV1", "forename": "Ulric", "surname": "Vane",
         "date_of_birth": pd.Timestamp("1970-05-06"), "postcode": "CK1 1AA", "house_number": "1"},
        {**base, "source_record_id": "UV2", "forename": "Ulric", "surname": "Vane",
         "date_of_birth": pd.Timestamp("1970-05-06"), "phone": "07000000001"},
        {**base, "source_record_id": "UV3", "forename": "Ulric", "surname": "Vane",
         "date_of_birth": None},
        # Two different Zara Quills, then a record with only that name: ambiguous.
        {**base, "source_record_id": "ZQ1", "forename": "Zara", "surname": "Quill",
         "date_of_birth": pd.Timestamp("1980-01-02"), "postcode": "CK2 2BB", "house_number": "2"},
        {**base, "source_record_id": "ZQ2", "forename": "Zara", "surname": "Quill",
         "date_of_birth": pd.Timestamp("1991-11-12"), "postcode": "CK3 3DD", "house_number": "3"},
        {**base, "source_record_id": "ZQ3", "forename": "Zara", "surname": "Quill",
         "date_of_birth": None},
    ]).assign(source_system="test_extra", true_person_id=-1)
    extra["record_key"] = "test_extra:" + extra["source_record_id"]
    con = connect()
    load_people(con, people)
    load_people(con, extra, source_system="test_extra")
    con.close()
    link_warehouse()
    entities = _entities()
    assert entities["test_extra:UV3"] == entities["test_extra:UV1"] == entities["test_extra:UV2"]
    assert entities["test_extra:ZQ1"] != entities["test_extra:ZQ2"]
    assert entities["test_extra:ZQ3"] not in {entities["test_extra:ZQ1"], entities["test_extra:ZQ2"]}


def test_link_trains_m_from_reviewed_matches_once_there_are_enough(peel_home, monkeypatch):
    from peel.linkage import model

    # Identical records share a representative, so only differing pairs count as labels.
    monkeypatch.setattr(model, "MIN_REVIEWED_MATCHES_FOR_TRAINING", 3)
    people = make_people(seed=17)
    con = connect()
    load_people(con, people)
    con.close()
    link_warehouse()
    groups = people.groupby("true_person_id")["record_key"].apply(list)
    pairs = [(keys[0], keys[1]) for keys in groups if len(keys) >= 2][:25]
    for a, b in pairs:
        record_decision(a, b, "match", "analyst-2")
    link_warehouse()
    con = connect(read_only=True)
    note = con.execute("SELECT note FROM linkage_run ORDER BY run_id DESC LIMIT 1").fetchall()[0][0]
    con.close()
    assert "estimated from" in note and "reviewed matches" in note
    entities = _entities()
    assert all(entities[a] == entities[b] for a, b in pairs)
    measures = evaluate_clusters(entities, people.set_index("record_key")["true_person_id"])
    assert measures.f1 >= 0.95, measures
