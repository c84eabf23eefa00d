"""`peel link file` and `peel link evaluate` on honest but awkward input: each case ends in a
correct result or a message naming the file and what to do."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tests.conftest import JOB_PURPOSE
from typer.testing import CliRunner

from peel.cli import app
from peel.linkage.evaluate import evaluate_file

runner = CliRunner()
MAPPING = "record_id: ref\nperson:\n  forename: first\n  surname: last\n  date_of_birth: dob\n"
FORENAMES = ["Ann", "Bob", "Cara", "Dan", "Eve", "Finn", "Gus", "Hal", "Ivy", "Jo"]
SURNAMES = ["Smith", "Jones", "Brown", "Khan", "Patel", "Wood", "Hall", "King", "Ward", "Hill"]


def _link(tmp_path, data: bytes, mapping: str = MAPPING, *extra: str):
    (tmp_path / "people.csv").write_bytes(data)
    (tmp_path / "map.yaml").write_text(mapping)
    return runner.invoke(app, ["link", "file", str(tmp_path / "people.csv"), "--mapping",
                               str(tmp_path / "map.yaml"), "--out", str(tmp_path / "out.csv"),
                               *JOB_PURPOSE, *extra], env={"COLUMNS": "250"})


def _different_people(n: int) -> bytes:
    rows = [f"{i},{FORENAMES[i % 10]},{SURNAMES[i // 5 % 10]},{1940 + i}-0{1 + i % 9}-1{i % 9}"
            for i in range(n)]
    return ("ref,first,last,dob\n" + "\n".join(rows) + "\n").encode()


def test_link_file_links_three_or_fifty_different_people_into_as_many_entities(peel_home, service_job, tmp_path):
    for n in (3, 50):
        result = _link(tmp_path, _different_people(n))
        assert result.exit_code == 0, result.output
        assert f"{n} records -> {n} entities" in result.output
        assert pd.read_csv(tmp_path / "out.csv")["entity_id"].nunique() == n


def test_link_file_prints_the_blocking_rules_and_what_could_not_be_trained(peel_home, service_job, tmp_path):
    result = _link(tmp_path, _different_people(50))
    assert "blocking rule" in result.output and "every pair" in result.output
    assert "Left out:" in result.output and "brings no pair together" in result.output
    assert "note: name: not trained" in result.output


def test_link_file_reads_a_file_in_the_encoding_the_mapping_names(peel_home, service_job, tmp_path):
    data = "ref,first,last,dob\n1,René,Dupont,1950-01-02\n2,Rene,Dupont,1950-01-02\n" \
        "3,Zoë,Smith,1960-03-04\n4,Åsa,Berg,1970-05-06\n".encode("latin-1")
    result = _link(tmp_path, data)
    assert result.exit_code == 2
    assert "people.csv line 2" in result.output and "'encoding: cp1252'" in result.output
    result = _link(tmp_path, data, MAPPING + "encoding: latin-1\n")
    assert result.exit_code == 0, result.output
    assert "4 records -> 3 entities" in result.output


def test_link_file_says_when_the_mapping_encoding_does_not_fit(peel_home, service_job, tmp_path):
    result = _link(tmp_path, b"ref,first,last,dob\n1,Ann,\xff\xfeSmith,1950-01-02\n",
                   MAPPING + "encoding: ascii\n")
    assert result.exit_code == 2
    assert "people.csv line 2: holds bytes that are not ascii" in result.output
    result = _link(tmp_path, b"ref\n", MAPPING + "encoding: klingon\n")
    assert result.exit_code == 2 and "encoding 'klingon' is not a text encoding" in result.output


def test_link_file_with_a_header_only_file_names_it(peel_home, service_job, tmp_path):
    result = _link(tmp_path, b"ref,first,last,dob\n")
    assert result.exit_code == 2
    assert "people.csv: no records, only a header line" in result.output


def test_link_file_with_truth_prints_the_true_pairs_each_rule_adds(peel_home, service_job, tmp_path):
    rows = "ref,first,last,dob,who\n1,Ann,Smith,1950-01-02,a\n2,Anne,Smith,1950-01-02,a\n" \
        "3,Bob,Jones,1960-03-04,b\n4,Robert,Jones,1960-03-04,b\n5,Cara,Brown,1970-05-06,c\n"
    (tmp_path / "truth.csv").write_text(rows)
    result = _link(tmp_path, rows.encode(), MAPPING, "--truth", str(tmp_path / "truth.csv"),
                   "--truth-id", "ref", "--truth-entity", "who")
    assert result.exit_code == 0, result.output
    assert "true pairs added" in result.output and "100.0%" in result.output


def _output_and_truth(tmp_path, truth: pd.DataFrame, suffix: str = ".csv"):
    out = tmp_path / "out.csv"
    pd.DataFrame({"id": ["1", "2", "3", "4"], "entity_id": ["e1", "e1", "e2", "e3"]}).to_csv(
        out, index=False)
    path = tmp_path / f"truth{suffix}"
    truth.to_parquet(path) if suffix == ".parquet" else truth.to_csv(path, index=False)
    return out, path


def test_evaluate_file_reads_a_parquet_truth(tmp_path):
    out, truth = _output_and_truth(
        tmp_path, pd.DataFrame({"id": [1, 2, 3, 4], "who": ["a", "a", "b", "b"]}), ".parquet")
    result = evaluate_file(out, truth, truth_id="id", truth_entity="who")
    assert (result.precision, result.recall, result.records_without_truth) == (1.0, 0.5, 0)


def test_evaluate_reports_records_missing_from_the_truth(peel_home, tmp_path):
    out, truth = _output_and_truth(tmp_path, pd.DataFrame({"id": ["1", "2", "3"],
                                                           "who": ["a", "a", "b"]}))
    result = runner.invoke(app, ["link", "evaluate", str(out), "--truth", str(truth),
                                 "--truth-entity", "who", "--json"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "1 record(s) of" in result.output and "have no entity in the truth" in result.output
    measures = json.loads(result.output[result.output.index("{"):])
    assert measures["records"] == 3 and measures["records_without_truth"] == 1


def test_evaluate_file_keys_ids_repeated_across_files_by_the_truth_source(tmp_path):
    out = tmp_path / "out.csv"
    pd.DataFrame({"id": ["1", "1", "2"], "entity_id": ["e1", "e1", "e2"],
                  "source": ["/data/a.csv", "/data/b.csv", "/data/b.csv"]}).to_csv(out, index=False)
    truth = tmp_path / "truth.csv"
    pd.DataFrame({"id": ["1", "1", "2"], "who": ["x", "x", "y"],
                  "source": ["a.csv", "b.csv", "b.csv"]}).to_csv(truth, index=False)
    result = evaluate_file(out, truth, truth_entity="who")
    assert (result.records, result.f1) == (3, 1.0)
    pd.DataFrame({"id": ["1", "1", "2"], "who": ["x", "z", "y"]}).to_csv(truth, index=False)
    with pytest.raises(ValueError, match="the linked files share ids: give the truth a 'source' column"):
        evaluate_file(out, truth, truth_entity="who")
