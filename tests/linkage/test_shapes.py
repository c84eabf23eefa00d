"""`peel link file` on data sets of other shapes than the demo force, made by the persons
generator (peel.demo.persons.labelled): old and missing dates of birth, heavy name typos and
swaps, nicknames, titles, names written whole, several records per person; names only."""

from __future__ import annotations

import pandas as pd
from tests.conftest import JOB_PURPOSE
from typer.testing import CliRunner

from peel.cli import app
from peel.demo.persons.labelled import write_labelled_set
from peel.linkage.evaluate import evaluate_clusters
from peel.linkage.files import link_files

runner = CliRunner()


def test_link_file_reaches_its_target_on_a_generated_historic_set(peel_home, tmp_path):
    data, mapping = write_labelled_set("historic", 300, 5, tmp_path)
    truth = pd.read_csv(data, dtype=str).set_index("id")["true_person"]
    table, result = link_files([data], mapping, truth=truth)
    measures = evaluate_clusters(table.set_index("id")["entity_id"], truth)
    assert measures.f1 >= 0.85, measures
    kept = [rule for rule in result.blocking if rule.kept]
    assert sum(rule.recall_added for rule in kept) >= 0.9  # true pairs blocking brings together


def test_link_file_trains_on_names_only_and_says_how(peel_home, service_job, tmp_path):
    data, mapping = write_labelled_set("names_only", 150, 5, tmp_path)
    result = runner.invoke(app, ["link", "file", str(data), "--mapping", str(mapping),
                                 "--out", str(tmp_path / "out.csv"), *JOB_PURPOSE], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "note: m probabilities trained within blocks on" in result.output
    assert "surname and forename" in result.output  # a blocking rule kept, with its count
    out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    truth = pd.read_csv(data, dtype=str).set_index("id")["true_person"]
    measures = evaluate_clusters(out.set_index("id")["entity_id"], truth)
    # The same name in two towns is mostly one person here: it must link (F1 measured 0.93;
    # 0.76 when a whole name's frequency counted the person's own records as chance).
    assert measures.precision >= 0.9 and measures.f1 >= 0.85, measures
