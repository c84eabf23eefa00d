"""Blocking rules chosen from measured comparison counts; weak chains split apart."""

from __future__ import annotations

import duckdb
import pandas as pd

from peel.linkage.blocking import Candidate, blocking_recall, choose_rules, count_comparisons
from peel.linkage.cluster import split_weakly_held


def _people() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT * FROM (VALUES
        ('1', 'ann', 'smith', '1950-01-02'), ('2', 'ann', 'smith', '1950-01-02'),
        ('3', 'ann', 'smith', NULL), ('4', 'smith', 'ann', '1950-01-02'),
        ('5', 'bob', 'jones', '1960-03-04'), ('6', 'rob', 'jones', '1960-03-04'))
        t(unique_id, forename, surname, date_of_birth)""")
    return con


def test_count_comparisons_counts_the_pairs_of_each_rule_exactly():
    con = _people()
    assert count_comparisons(con, "t", Candidate(("surname", "forename"))) == 3
    assert count_comparisons(con, "t", Candidate(("date_of_birth",))) == 4
    assert count_comparisons(con, "t", Candidate(("forename", "surname"), swapped=True)) == 3
    assert count_comparisons(con, "t", Candidate(("substr(surname, 1, 1)",))) == 4
    assert count_comparisons(con, "t", Candidate(())) == 15


def test_choose_rules_keeps_rules_in_order_within_the_budget():
    con = _people()
    candidates = [Candidate(("surname", "forename")), Candidate(("date_of_birth",)),
                  Candidate(("surname",)), Candidate(("forename",))]
    kept, report = choose_rules(con, "t", candidates, limit=6)
    assert [c.describe() for c in kept] == ["surname and forename", "forename"]
    assert [(r.rule, r.comparisons, r.kept) for r in report] == [
        ("surname and forename", 3, True), ("date_of_birth", 4, False),
        ("surname", 4, False), ("forename", 3, True)]
    assert report[1].reason == "over the budget of 6 comparisons"


def test_blocking_recall_gives_the_share_of_true_pairs_each_rule_adds():
    con = _people()
    truth = pd.Series(["a", "a", "a", "a", "b", "b"], index=list("123456"))
    rules = [Candidate(("surname", "forename")), Candidate(("date_of_birth",))]
    _kept, report = choose_rules(con, "t", rules, limit=100)
    assert blocking_recall(con, "t", truth, rules, report) == 6 / 7
    assert [r.recall_added for r in report] == [3 / 7, 3 / 7]


def _edges(pairs: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame([(str(a), str(b), p) for a, b, p in pairs],
                        columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_split_weakly_held_splits_a_chain_of_weak_links_but_keeps_a_strong_core():
    chain = _edges([(i, i + 1, 0.6 if i % 3 == 2 else 0.99) for i in range(30)])
    core = _edges([(100, 100 + i, 0.99) for i in range(1, 30)] + [(129, 200, 0.6)])
    clusters = pd.DataFrame({"unique_id": [str(i) for i in range(31)] + ["100"]
                             + [str(100 + i) for i in range(1, 30)] + ["200"]})
    clusters["cluster_id"] = ["0"] * 31 + ["100"] * 31
    notes: list[str] = []
    out = split_weakly_held(clusters, pd.concat([chain, core]), notes)
    assert out[out.cluster_id != "100"].cluster_id.nunique() == 11  # the chain: groups of 3
    assert (out.cluster_id == "100").sum() == 31  # the core and its weakly linked record
    assert notes == [("1 entity of more than 20 records held together only by links below "
                      "probability 0.9 (no strongly linked group held half of its records) "
                      "split into 11 entities")]
