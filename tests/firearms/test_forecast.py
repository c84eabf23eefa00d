"""The clearance forecast and its back-test on the generated history."""

from datetime import date

import pytest

from peel.firearms.forecast import backtest, forecast_clearance

AS_OF = date(2026, 3, 11)


def test_forecast_clearance_more_staff_clears_sooner(demo):
    now, more = forecast_clearance(demo, AS_OF), forecast_clearance(demo, AS_OF, extra=10)
    assert [c.year_due for c in now.cohorts] == sorted(c.year_due for c in now.cohorts)
    for a, b in zip(now.cohorts, more.cohorts):
        assert b.clears is not None and (a.clears is None or b.clears <= a.clears)
        assert b.earliest <= b.clears
    assert more.weekly_now > now.weekly_now


def test_forecast_clearance_refuses_a_staffing_of_nobody(demo):
    officers = forecast_clearance(demo, AS_OF).officers
    with pytest.raises(ValueError, match="leaves no officers"):
        forecast_clearance(demo, AS_OF, extra=-officers)


def test_backtest_beats_the_naive_forecast(demo):
    result = backtest(demo, AS_OF, cutoffs=4)
    assert len(result.rows) == 4 and all(r["actual"] > 0 for r in result.rows)
    assert result.model_error < result.naive_error
