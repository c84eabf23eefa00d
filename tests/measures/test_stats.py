from datetime import date

import numpy as np
import pandas as pd
from scipy import stats as sps

from peel.measures import stats


def _seasonal_series(seed: int, months: int = 51, level: float = 300.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2022-01-01", periods=months, freq="MS")
    season = 1 + 0.2 * np.cos(2 * np.pi * (index.month - 1) / 12)  # winter high
    return pd.Series(rng.poisson(level * season).astype(float), index=index)


def test_compare_counts_uses_the_exact_binomial_split():
    result = stats.compare_counts(3535, 3500)
    assert result.change == 35
    assert round(result.percent, 2) == 1.0
    assert result.p_value == sps.binomtest(3535, 7035, 0.5).pvalue
    assert not result.significant
    assert stats.compare_counts(4000, 3500).significant


def test_find_unusual_months_flags_a_planted_spike_and_nothing_else():
    counts = _seasonal_series(1)
    counts[pd.Timestamp("2023-11-01")] *= 1.6
    exposure = pd.Series(1.0, index=counts.index)
    months = [m.date() for m in counts.index]
    found = stats.find_unusual_months(stats.fit_seasonal(counts, exposure), counts, months, len(months))
    assert [e.month for e in found] == [date(2023, 11, 1)]
    assert found[0].percent_above > 40


def test_find_unusual_months_finds_nothing_in_plain_seasonal_noise():
    for seed in range(5):
        counts = _seasonal_series(seed)
        exposure = pd.Series(1.0, index=counts.index)
        months = [m.date() for m in counts.index]
        fit = stats.fit_seasonal(counts, exposure)
        assert stats.find_unusual_months(fit, counts, months, len(months)) == []


def test_find_unusual_months_scales_a_partial_month_by_its_exposure():
    counts = _seasonal_series(2)
    exposure = pd.Series(1.0, index=counts.index)
    last = counts.index[-1]
    exposure[last] = 11 / 31
    counts[last] = round(counts[last] * 11 / 31)
    fit = stats.fit_seasonal(counts, exposure, exclude={last.date()})
    assert stats.find_unusual_months(fit, counts, [last.date()], 1) == []
    counts[last] *= 2
    assert stats.find_unusual_months(fit, counts, [last.date()], 1)[0].month == last.date()


def test_find_step_change_finds_a_lasting_shift_with_its_size():
    counts = _seasonal_series(3)
    after = counts.index >= pd.Timestamp("2024-06-01")
    counts[after] = np.random.default_rng(9).poisson(counts[after] * 1.35)
    step = stats.find_step_change(counts, pd.Series(1.0, index=counts.index))
    assert step is not None
    assert abs((step.month.year * 12 + step.month.month) - (2024 * 12 + 6)) <= 2  # location is estimated
    assert 25 < step.percent < 45


def test_fit_share_finds_a_local_spike_that_recurs_in_the_same_season():
    rest = _seasonal_series(5, level=2000)
    local = pd.Series(np.random.default_rng(6).poisson(rest / 10), index=rest.index).astype(float)
    octobers = local.index.month == 10
    local[octobers] *= 1.8  # every October, as a festival in one town might be
    fit = stats.fit_share(local, rest)
    months = [m.date() for m in local.index]
    found = stats.find_unusual_months(fit, local, months, len(months))
    assert {e.month.month for e in found} == {10}
    assert len(found) == octobers.sum()


def test_find_step_change_reports_none_without_a_shift_even_with_a_spike():
    counts = _seasonal_series(4)
    counts[pd.Timestamp("2022-11-01")] *= 1.5
    assert stats.find_step_change(counts, pd.Series(1.0, index=counts.index)) is None


def test_upper_tail_of_share_is_the_binomial_tail_and_wider_with_overdispersion():
    exact = sps.binom.sf(12, 29, 0.2)
    assert stats.upper_tail_of_share(13, 29, 0.2, 1.0) == exact
    assert stats.upper_tail_of_share(13, 29, 0.2, 1.5) > exact  # clustered crimes: less surprising
    assert stats.upper_tail_of_share(0, 0, 0.2, 1.5) == 1.0


def test_fit_share_judges_a_district_by_its_count_out_of_the_force_total():
    rest = _seasonal_series(5, level=60)
    local = pd.Series(np.random.default_rng(6).poisson(rest / 4), index=rest.index).astype(float)
    month = local.index[10]
    local[month] *= 3  # a spike
    fit = stats.fit_share(local, rest)
    assert fit.totals.equals(local + rest)
    [found] = stats.find_unusual_months(fit, local, [month.date()], 1)
    share = fit.expected[month] / fit.totals[month]
    assert found.p_value == stats.upper_tail_of_share(local[month], int(fit.totals[month]), share, fit.dispersion)
