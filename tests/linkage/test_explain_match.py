"""`peel link explain` and `peel link match` against a linked warehouse. Both are logged
consultations (their checks are tested in test_casebook_handover.py): here a permitted user
asks, with a purpose."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from tests.casebook.conftest import add_staff
from tests.linkage.people import build_linked_warehouse
from typer.testing import CliRunner

from peel.casebook import db
from peel.cli import app
from peel.linkage.explain import explain_pair, write_chart
from peel.linkage.match import match_records
from peel.warehouse import connect

runner = CliRunner()
PURPOSE = "checking the linkage of a custody record"


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """A warehouse of test people, linked once for every test in this module."""
    home = tmp_path_factory.mktemp("linked")
    warehouse, people = build_linked_warehouse(home, seed=11)
    con = connect(warehouse, read_only=True)
    entities = con.execute("SELECT record_key, entity_id FROM linkage_entity").df()
    con.close()
    return home, warehouse, people.merge(entities, on="record_key")


@pytest.fixture
def analyst(monkeypatch, tmp_path):
    """A casebook (SQLite) with a user who may read linked person records; their name."""
    casebook = f"sqlite:///{tmp_path / 'casebook.sqlite'}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", casebook)
    add_staff(casebook, "admin", "administrator", acting=None)
    add_staff(casebook, "analyst", "intelligence_analyst")
    yield "analyst"
    db.dispose_engines()


def _same_person_pair(people: pd.DataFrame) -> tuple[str, str]:
    groups = people.groupby("true_person_id")["record_key"].apply(list)
    keys = groups[groups.str.len() >= 2].iloc[0]
    return keys[0], keys[1]


def test_explain_pair_weighs_each_piece_of_evidence(linked, analyst, tmp_path):
    _, warehouse, people = linked
    a, b = _same_person_pair(people)
    explanation = explain_pair(analyst, a, b, purpose=PURPOSE, warehouse=warehouse)
    kinds = [e.evidence for e in explanation.evidence]
    assert "name (forename and surname)" in kinds and "date of birth" in kinds
    total = explanation.prior_weight + sum(e.match_weight for e in explanation.evidence)
    assert total == pytest.approx(explanation.match_weight, abs=1e-6)
    assert explanation.match_probability == pytest.approx(
        1 / (1 + 2 ** -explanation.match_weight), rel=1e-6)
    assert explanation.same_entity is True
    assert any("same entity" in line for line in explanation.sentences())
    json_path, svg_path = write_chart(explanation, tmp_path)
    assert "<svg" in svg_path.read_text() and json_path.exists()


def test_explain_pair_weighs_a_shared_name_as_the_run_did(linked, analyst):
    # The name's frequency (peel.linkage.frequency) is computed again over the warehouse's
    # records: the weight must be the run's own, to the bit.
    _, warehouse, people = linked
    con = connect(warehouse, read_only=True)
    pairs = con.execute("SELECT record_key_l, record_key_r, match_weight FROM linkage_pair").df()
    con.close()
    names = people.set_index("record_key")[["forename", "surname"]].apply(
        lambda c: c.str.lower().str.strip())
    same = (names.reindex(pairs.record_key_l).values == names.reindex(pairs.record_key_r).values)
    a, b, weight = pairs[same.all(axis=1)].iloc[0]
    explanation = explain_pair(analyst, a, b, purpose=PURPOSE, warehouse=warehouse)
    name = next(e for e in explanation.evidence if e.evidence.startswith("name"))
    assert name.level == "forename and surname exact"
    assert explanation.match_weight == pytest.approx(weight, abs=1e-6)


def test_explain_pair_of_strangers_weighs_against(linked, analyst):
    _, warehouse, people = linked
    a = people.iloc[0]
    other = people[(people.true_person_id != a.true_person_id)
                   & (people.surname != a.surname) & (people.forename != a.forename)].iloc[0]
    explanation = explain_pair(analyst, a.record_key, other.record_key, purpose=PURPOSE,
                               warehouse=warehouse)
    assert explanation.match_probability < 0.01
    assert explanation.same_entity is False
    name = next(e for e in explanation.evidence if e.evidence.startswith("name"))
    assert name.match_weight < 0


def test_explain_command_prints_no_personal_data(linked, analyst, monkeypatch, log_in):
    home, _, people = linked
    monkeypatch.setenv("PEEL_HOME", str(home))
    log_in(analyst)
    a, b = _same_person_pair(people)
    result = runner.invoke(app, ["link", "explain", a, b, "--as", analyst, "--purpose", PURPOSE])
    assert result.exit_code == 0, result.output
    assert "date of birth" in result.output
    person = people[people.record_key == a].iloc[0]
    for value in (person.forename, person.surname, person.postcode, str(person.date_of_birth)):
        assert str(value).upper() not in result.output.upper()


def test_match_records_finds_the_entity_of_a_known_person(linked, analyst):
    _, warehouse, people = linked
    person = people.iloc[3]
    new = pd.DataFrame([{
        "id": "enquiry-1", "forename": person.forename, "surname": person.surname,
        "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y"),  # UK day-first form
        "postcode": person.postcode.replace(" ", "").lower() if person.postcode else None,
    }])
    found = match_records(analyst, new, purpose=PURPOSE, warehouse=warehouse)
    assert not found.empty
    best = found.iloc[0]
    assert best["id"] == "enquiry-1"
    assert best["entity_id"] == person.entity_id
    assert best["match_probability"] >= 0.5
    assert not math.isnan(best["match_probability"])


def test_match_records_finds_no_entity_for_a_stranger(linked, analyst):
    _, warehouse, _ = linked
    stranger = pd.DataFrame([{"id": "x", "forename": "Zebedee", "surname": "Quackenbush",
                              "date_of_birth": "1931-02-03", "postcode": "ZZ9 9ZZ"}])
    assert match_records(analyst, stranger, purpose=PURPOSE, warehouse=warehouse).empty


def test_match_records_reads_new_records_from_a_mapped_file(linked, analyst, tmp_path):
    _, warehouse, people = linked
    person = people.iloc[3]
    data = tmp_path / "enquiries.csv"
    pd.DataFrame([{"ref": "enquiry-1", "first": person.forename, "last": person.surname,
                   "born": person.date_of_birth.strftime("%Y-%m-%d")}]).to_csv(data, index=False)
    mapping = tmp_path / "enquiries.yaml"
    mapping.write_text("id: ref\nfields:\n  forename: first\n  surname: last\n"
                       "  date_of_birth: born\n")
    found = match_records(analyst, files=[data], mapping=mapping, purpose=PURPOSE,
                          warehouse=warehouse)
    assert list(found["id"].unique()) == ["enquiry-1"]
    assert found.iloc[0]["entity_id"] == person.entity_id


def test_explain_match_and_review_without_a_warehouse_say_so(peel_home, analyst, log_in):
    log_in(analyst)
    purpose = ["--purpose", PURPOSE]
    for args in (["explain", "crime:R1", "custody:C7"], ["match", "--surname", "Smith"], ["review"]):
        result = runner.invoke(app, ["link", *args, *purpose, "--as", analyst], env={"COLUMNS": "250"})
        assert result.exit_code == 2, result.output
        assert "error: No warehouse at" in result.output and "peel demo-data" in result.output
