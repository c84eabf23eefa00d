"""`peel link file` on the public test sets, run exactly as a user would (CLI, YAML mapping),
and scored with `peel link evaluate` against their ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tests.conftest import JOB_PURPOSE
from tests.linkage.people import make_people
from typer.testing import CliRunner

from peel.cli import app
from peel.linkage.files import load_files
from peel.sources.mapped import MAPPINGS_DIR as SOURCE_MAPPINGS
from peel.sources.mapped import MappingError, read_mapping

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "linkage" / "mappings"
runner = CliRunner()


@pytest.fixture(autouse=True)
def signed_in(service_job):
    """`peel link file` combines personal data: a signed-in account and a purpose."""


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _evaluate(*args: str) -> dict:
    out = _run("link", "evaluate", *args, "--json")
    return json.loads(out[out.index("{"):])


def test_link_file_reaches_f1_target_on_febrl4(peel_home, linkage_data, tmp_path):
    febrl = linkage_data / "febrl"
    out = tmp_path / "febrl4.csv"
    _run("link", "file", *JOB_PURPOSE, str(febrl / "dataset4a.csv"), str(febrl / "dataset4b.csv"),
         "--mapping", str(MAPPINGS / "febrl.yaml"), "--out", str(out))
    written = pd.read_csv(out)
    assert list(written.columns) == ["id", "entity_id"]
    assert len(written) == 10_000
    measures = _evaluate(str(out), "--id-pattern", r"rec-(\d+)")
    assert measures["f1"] >= 0.99, measures


def test_link_file_reaches_f1_target_on_febrl3(peel_home, linkage_data, tmp_path):
    out = tmp_path / "febrl3.csv"
    _run("link", "file", *JOB_PURPOSE, str(linkage_data / "febrl" / "dataset3.csv"),
         "--mapping", str(MAPPINGS / "febrl.yaml"), "--out", str(out))
    measures = _evaluate(str(out), "--id-pattern", r"rec-(\d+)")
    assert measures["records"] == 5_000
    assert measures["f1"] >= 0.99, measures


def test_link_file_reaches_f1_target_on_fake_1000(peel_home, linkage_data, tmp_path):
    data = linkage_data / "fake_1000.csv"
    out = tmp_path / "fake.csv"
    _run("link", "file", *JOB_PURPOSE, str(data), "--mapping", str(MAPPINGS / "fake_1000.yaml"), "--out", str(out))
    measures = _evaluate(str(out), "--truth", str(data), "--truth-id", "unique_id",
                         "--truth-entity", "cluster")
    assert measures["records"] == 1_000
    # 0.9501 measured (0.954 before issue 10's data-driven training blocks, 0.9466 with them
    # before training read repeated records; the plain Splink tutorial model reaches 0.56).
    assert measures["f1"] >= 0.95, measures


def test_link_file_names_the_missing_column(peel_home, tmp_path):
    data = tmp_path / "people.csv"
    data.write_text("ref,first,last\n1,Ann,Smith\n2,Anne,Smith\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("record_id: ref\nperson:\n  forename: first\n  surname: surname\n")
    result = runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping", str(mapping),
                                 "--out", str(tmp_path / "out.csv")], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "column 'surname'" in result.output and "people.csv" in result.output
    assert not (tmp_path / "out.csv").exists()


def _load(tmp_path, *contents: str):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("record_id: ref\nperson:\n  surname: last\n")
    paths = []
    for n, text in enumerate(contents):
        paths.append(tmp_path / f"part{n}.csv")
        paths[-1].write_text(text)
    con = duckdb.connect()
    collide = load_files(con, paths, read_mapping(mapping), "peel_raw")
    return collide, con.execute("SELECT unique_id, id, surname FROM peel_raw ORDER BY 1").fetchall()


def test_load_files_keys_records_by_file_only_when_ids_repeat_across_files(tmp_path):
    assert _load(tmp_path, "ref,last\n1,Smith\n", "ref,last\n2,Jones\n") == (
        False, [("1", "1", "Smith"), ("2", "2", "Jones")])
    assert _load(tmp_path, "ref,last\n1,Smith\n", "ref,last\n1,Jones\n") == (
        True, [("0:1", "1", "Smith"), ("1:1", "1", "Jones")])


def test_load_files_names_the_file_with_a_missing_or_repeated_id(tmp_path):
    with pytest.raises(MappingError, match=r"part1\.csv: 1 row\(s\) have no value in the id"):
        _load(tmp_path, "ref,last\n1,Smith\n", "ref,last\n,Jones\n2,Brown\n2,Green\n")
    with pytest.raises(MappingError, match=r"part0\.csv: id '2' appears 2 times"):
        _load(tmp_path, "ref,last\n2,Smith\n2,Jones\n", "ref,last\n,Brown\n")


def _people_with_dates(tmp_path, iso_dates: int) -> tuple[Path, Path]:
    """Test people as a CSV whose dates of birth are day-first, except the first
    ``iso_dates`` (ISO), with a mapping that says they are day-first."""
    people = make_people(n_persons=60, seed=7).dropna(subset=["date_of_birth"])
    born = pd.to_datetime(people["date_of_birth"])
    people["born"] = [d.strftime("%Y-%m-%d" if n < iso_dates else "%d/%m/%Y")
                      for n, d in enumerate(born)]
    data = tmp_path / "people.csv"
    people[["record_key", "forename", "surname", "born", "postcode"]].to_csv(data, index=False)
    mapping = tmp_path / "people.yaml"
    mapping.write_text("record_id: record_key\nperson:\n  forename: forename\n  surname: surname\n"
                       "  date_of_birth: born\n  postcode: postcode\ndate_formats: ['%d/%m/%Y']\n")
    return data, mapping


def test_link_file_warns_of_dates_of_birth_that_fit_no_date_format(peel_home, tmp_path):
    data, mapping = _people_with_dates(tmp_path, iso_dates=3)
    result = runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping", str(mapping),
                                 "--out", str(tmp_path / "out.csv")], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "3 date(s) of birth could not be read as a date by date_formats ['%d/%m/%Y'] in " \
        in result.output
    assert "people.yaml" in result.output
    assert "'9999-99-99' (3) (digits shown as 9)" in result.output


def test_link_file_fails_when_no_date_of_birth_fits_the_date_format(peel_home, tmp_path):
    data, mapping = _people_with_dates(tmp_path, iso_dates=10_000)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping", str(mapping),
                                 "--out", str(out)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "people.yaml: none of the" in result.output
    assert "dates of birth can be read by date_formats ['%d/%m/%Y']" in result.output
    assert not out.exists()


def _link_file(tmp_path, csv: bytes, mapping_text: str, env: dict | None = None):
    data = tmp_path / "people.csv"
    data.write_bytes(csv)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(mapping_text)
    return runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping", str(mapping),
                               "--out", str(tmp_path / "out.csv")],
                         env={"COLUMNS": "250", **(env or {})})


def test_link_file_with_no_usable_fields_says_so(peel_home, tmp_path):
    result = _link_file(tmp_path, b"ref,first\n1,\n2,\n", "record_id: ref\nperson:\n  forename: first\n")
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "No person fields to compare" in result.output


def test_link_file_with_an_unknown_backend_or_a_file_not_in_utf8_says_so(peel_home, tmp_path):
    mapping = "record_id: ref\nperson:\n  forename: first\n  surname: last\n"
    result = _link_file(tmp_path, b"ref,first,last\n1,Ann,Smith\n2,Ann,Smyth\n", mapping,
                        env={"PEEL_LINKAGE_BACKEND": "abacus"})
    assert result.exit_code == 2, result.output
    assert "Unknown linkage backend 'abacus'" in result.output
    result = _link_file(tmp_path, b"ref,first,last\n1,Ann,Sm\xffith\n2,Ann,Smyth\n", mapping)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "not utf-8 encoded" in result.output


def test_link_file_with_too_few_distinct_records_says_how_many_it_needs(peel_home, tmp_path):
    mapping = "record_id: ref\nperson:\n  forename: first\n  surname: last\n  date_of_birth: dob\n"
    for data in (b"ref,first,last,dob\n1,Ann,Smith,1980-01-02\n",
                 b"ref,first,last,dob\n1,Ann,Smith,1980-01-02\n2,Ann,Smith,1980-01-02\n3,Bob,Jones,1970-05-06\n"):
        result = _link_file(tmp_path, data, mapping)
        assert result.exit_code == 2, result.output
        assert "distinct record(s) to link" in result.output and "at least 3" in result.output


def _people_file(tmp_path, columns: dict[str, str]) -> Path:
    """Test people (60 persons, with recording errors) as a CSV whose columns are named
    ``columns`` ({field: column}); 'soc sec' holds an identifier each person keeps."""
    people = make_people(n_persons=60, seed=7)
    people["soc sec"] = [f"{p:06d}" for p in people["true_person_id"]]
    data = tmp_path / "people.csv"
    people.rename(columns=columns)[list(columns.values())].to_csv(data, index=False)
    return data


def test_link_file_reads_columns_named_with_spaces_and_quotes(peel_home, tmp_path):
    # Column names go into SQL quoted by one helper: a space or a quote is a name like any other.
    columns = {"record_key": "O'Brien \"id\"", "forename": "first name", "surname": "last",
               "date_of_birth": "date of birth", "postcode": "post code", "soc sec": "soc sec"}
    data = _people_file(tmp_path, columns)
    out = tmp_path / "out.csv"
    result = _link_file(tmp_path, data.read_bytes(), """record_id: 'O''Brien "id"'
person:
  forename: first name
  surname: last
  date_of_birth: date of birth
  postcode: post code
exact: ['soc sec']
""")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str)
    truth = pd.read_csv(data, dtype=str).set_index("O'Brien \"id\"")["soc sec"]
    assert sorted(written["id"]) == sorted(truth.index)
    # Everyone keeps their 'soc sec': compared exactly, it puts each person in one entity,
    # and no two people in one.
    entities = written.set_index("id")["entity_id"]
    assert (entities.groupby(truth).nunique() == 1).all()
    assert (truth.groupby(entities).nunique() == 1).all()
    assert entities.nunique() == 60


def test_link_file_refuses_exact_columns_that_differ_only_in_punctuation(peel_home, tmp_path):
    result = _link_file(tmp_path, b"ref,soc sec,soc_sec\n1,a,b\n",
                        "record_id: ref\nperson: {surname: ref}\nexact: [soc sec, soc_sec]\n")
    assert result.exit_code == 2, result.output
    assert "exact columns 'soc sec' and 'soc_sec' differ only in case or punctuation" in (
        " ".join(result.output.split()))


def test_link_file_reads_the_old_linkage_keys_as_the_mapping_language(peel_home, tmp_path):
    # A mapping written before the one language (id, fields, date_format; 'address' then
    # meant the street line) links exactly as its translation does.
    people = make_people(n_persons=60, seed=7)
    people["born"] = pd.to_datetime(people["date_of_birth"]).dt.strftime("%d/%m/%Y")
    people["line"] = people["house_number"].fillna("") + " " + people["street"].fillna("")
    data = tmp_path / "people.csv"
    people[["record_key", "forename", "surname", "born", "line", "postcode"]].to_csv(
        data, index=False)
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("id: record_key\nfields:\n  forename: forename\n  surname: surname\n"
                   "  date_of_birth: born\n  address: line\n  postcode: postcode\n"
                   "date_format: '%d/%m/%Y'\n")
    new.write_text("record_id: record_key\nperson:\n  forename: forename\n  surname: surname\n"
                   "  date_of_birth: born\n  street: line\n  postcode: postcode\n"
                   "date_formats: ['%d/%m/%Y']\n")
    outputs = {}
    for mapping in (old, new):
        out = tmp_path / f"{mapping.stem}.csv"
        result = runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping", str(mapping),
                                     "--out", str(out)], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        outputs[mapping.stem] = (pd.read_csv(out, dtype=str), " ".join(result.output.split()))
    pd.testing.assert_frame_equal(outputs["old"][0], outputs["new"][0])
    assert "old.yaml uses the old linkage keys id, fields, date_format" in outputs["old"][1]
    assert "old linkage keys" not in outputs["new"][1]


def test_link_file_links_an_extract_through_its_ingest_mapping(peel_home, tmp_path):
    # One language: the custody system's mapping that `peel ingest mapped` loads with also
    # links its extract (role, event and source_system are for loading; linking skips them).
    people = make_people(n_persons=40, seed=5)
    custody = pd.DataFrame({
        "CustodyNo": people["record_key"], "ArrestRef": "A1", "PNCID": "",
        "Surname": people["surname"], "Forename": people["forename"], "MiddleNames": "",
        "DateOfBirth": pd.to_datetime(people["date_of_birth"]).dt.strftime("%d/%m/%Y"),
        "Gender": "", "HomeAddress": (people["house_number"].fillna("") + " "
                                      + people["street"].fillna("") + ", "
                                      + people["town"] + ", " + people["postcode"].fillna("")),
        "ContactNumber": people["phone"], "ArrestDate": "01/02/2026"})
    data = tmp_path / "custody.csv"
    custody.to_csv(data, index=False)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["link", "file", *JOB_PURPOSE, str(data), "--mapping",
                                 str(SOURCE_MAPPINGS / "demo_custody.yaml"), "--out", str(out)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    measures = _evaluate(str(out), "--truth", str(_truth(tmp_path, people)), "--truth-entity",
                         "true_person_id")
    assert measures["records"] == len(people)
    assert measures["f1"] >= 0.9, measures


def _truth(tmp_path, people: pd.DataFrame) -> Path:
    path = tmp_path / "truth.csv"
    people[["record_key", "true_person_id"]].rename(columns={"record_key": "id"}).to_csv(
        path, index=False)
    return path


def test_load_files_reads_a_parquet_date_column_as_a_date(tmp_path):
    # A Parquet file's date column needs no date format, whatever the mapping's formats say.
    data = tmp_path / "people.parquet"
    pd.DataFrame({"ref": ["1", "2"], "last": ["Smith", "Jones"],
                  "born": pd.to_datetime(["1980-01-02", None])}).to_parquet(data)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("record_id: ref\nperson: {surname: last, date_of_birth: born}\n"
                       "date_formats: ['%d/%m/%Y']\n")
    con = duckdb.connect()
    load_files(con, [data], read_mapping(mapping), "peel_raw")
    assert con.execute("SELECT id, surname, date_of_birth::VARCHAR FROM peel_raw ORDER BY id"
                       ).fetchall() == [("1", "Smith", "1980-01-02"), ("2", "Jones", None)]
