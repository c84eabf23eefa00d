"""Pairwise and cluster measures, checked on labellings small enough to count by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from peel.linkage.evaluate import evaluate_clusters, evaluate_file, truth_from_id_pattern


def test_evaluate_clusters_counts_pairs_over_entities():
    # truth: {a,b,c} {d}; predicted: {a,b} {c,d}
    truth = pd.Series({"a": 1, "b": 1, "c": 1, "d": 2})
    predicted = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    result = evaluate_clusters(predicted, truth)
    assert (result.true_pairs, result.predicted_pairs, result.correct_pairs) == (3, 2, 1)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(1 / 3)
    assert result.f1 == pytest.approx(0.4)
    assert result.exact_entities == 0


def test_evaluate_clusters_is_perfect_when_labellings_agree():
    truth = pd.Series({"a": 1, "b": 1, "c": 2})
    result = evaluate_clusters(pd.Series({"a": "p", "b": "p", "c": "q"}), truth)
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)
    assert result.exact_entities == 2 and result.exact_entity_share == 1.0


def test_truth_from_id_pattern_reads_febrl_ids():
    ids = pd.Series(["rec-12-org", "rec-12-dup-0", "rec-7-org"])
    assert list(truth_from_id_pattern(ids, r"rec-(\d+)")) == ["12", "12", "7"]


def test_evaluate_file_with_a_truth_file_keys_ids_repeated_across_files_by_source(tmp_path):
    predicted = tmp_path / "out.csv"
    predicted.write_text("id,entity_id,source\n1,e1,a.csv\n2,e1,a.csv\n1,e1,b.csv\n2,e2,b.csv\n")
    truth = tmp_path / "truth.csv"
    truth.write_text("id,person\n1,p1\n2,p1\n")
    result = evaluate_file(predicted, truth, truth_entity="person")
    assert result.records == 4
    assert (result.true_pairs, result.predicted_pairs, result.correct_pairs) == (6, 3, 3)


def test_evaluate_file_refuses_a_truth_file_whose_ids_repeat(tmp_path):
    predicted = tmp_path / "out.csv"
    predicted.write_text("id,entity_id\n1,e1\n2,e1\n")
    truth = tmp_path / "truth.csv"
    truth.write_text("id,person\n1,p1\n1,p2\n2,p1\n")
    with pytest.raises(ValueError, match=r"truth\.csv: id '1' appears more than once in column 'id'"):
        evaluate_file(predicted, truth, truth_entity="person")
