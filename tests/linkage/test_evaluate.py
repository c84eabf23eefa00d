"""Pairwise and cluster measures, checked on labellings small enough to count by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from peel.linkage.evaluate import evaluate_clusters, truth_from_id_pattern


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
