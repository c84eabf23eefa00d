"""The exact upper bound on a false-alert rate, and survey margins and trend."""

import pytest
from scipy.stats import binom

from peel.lfr.stats import get_survey_result, get_upper_bound


def test_get_upper_bound_at_zero_is_not_zero_but_one_minus_alpha_to_the_one_over_n():
    assert get_upper_bound(0, 40) == pytest.approx(1 - 0.05 ** (1 / 40))
    assert get_upper_bound(0, 40) == pytest.approx(0.0721, abs=1e-4)
    assert get_upper_bound(0, 3000) == pytest.approx(3 / 3000, rel=0.01)  # the rule of three


@pytest.mark.parametrize("count, base", [(1, 10), (2, 25), (5, 54)])
def test_get_upper_bound_at_small_counts_is_where_seeing_so_few_becomes_5_percent_likely(count, base):
    bound = get_upper_bound(count, base)
    assert binom.cdf(count, base, bound) == pytest.approx(0.05, abs=1e-9)
    assert bound > count / base


def test_get_upper_bound_says_nothing_without_trials_and_one_when_all_failed():
    assert get_upper_bound(0, 0) is None
    assert get_upper_bound(7, 7) == 1.0
    with pytest.raises(ValueError):
        get_upper_bound(8, 7)


def test_get_survey_result_gives_the_wilson_margin_and_the_change_with_its_interval():
    first = get_survey_result("S1", None, "Support", 1000, 600)
    assert first.share == 0.6
    assert first.margin == pytest.approx(1.96 * (0.6 * 0.4 / 1000) ** 0.5, abs=0.001)
    small_change = get_survey_result("S2", None, "Support", 1000, 620, first)
    assert small_change.change == pytest.approx(0.02)
    assert small_change.change_low < 0 < small_change.change_high and not small_change.change_is_clear
    clear_change = get_survey_result("S2", None, "Support", 1000, 680, first)
    assert clear_change.change_is_clear and clear_change.change_low > 0
