"""Who is in which event: the same people turn up in several systems, some many times."""

from __future__ import annotations

import pandas as pd


def test_draw_involvements_puts_the_same_person_in_several_systems(population):
    truth = pd.read_parquet(population["dir"] / "truth" / "person_records.parquet")
    systems = truth.groupby("true_person_id")["source_system"].nunique()
    records = truth.groupby("true_person_id").size()
    assert (systems >= 2).mean() > 0.2
    assert (systems == 4).sum() > 0
    assert (records >= 5).sum() > 20  # repeat offenders and repeat victims
