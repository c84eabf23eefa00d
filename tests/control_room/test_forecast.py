"""The hourly forecast and its back-test, on small synthetic series (numba compiles
statsforecast's models once; small series keep the rest quick)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from peel.control_room.forecast import backtest, describe_day, forecast_demand


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    # Ten weeks of hourly counts with a daily and weekly rhythm, Poisson noise like real calls.
    rng = np.random.default_rng(5)
    ds = pd.date_range("2025-01-06", periods=24 * 7 * 16, freq="h")
    hour, day = ds.hour.to_numpy(), ds.dayofweek.to_numpy()
    rate = 6 + 4 * np.sin((hour - 9) / 24 * 2 * np.pi) + np.where(day >= 5, 2, 0)
    return pd.concat([pd.DataFrame({"unique_id": name, "ds": ds, "y": rng.poisson(rate * k).astype(float)})
                      for name, k in (("999", 1.0), ("101", 1.5))])


def test_forecast_demand_gives_intervals_around_the_mean(series):
    out = forecast_demand(series, horizon_hours=48, windows=3)
    assert out.groupby("unique_id").size().to_dict() == {"101": 48, "999": 48}
    assert (out["lo"] <= out["mean"]).all() and (out["mean"] <= out["hi"]).all() and (out["lo"] >= 0).all()
    assert out["ds"].min() == series["ds"].max() + pd.Timedelta(hours=1)


def test_backtest_beats_seasonal_naive_on_noisy_counts(series):
    result = backtest(series, cutoffs=3, horizon_days=3, windows=4)
    assert list(result.mase["horizon_day"]) == [1, 2, 3]
    assert result.beats_baseline_every_day
    assert 0.5 < result.coverage < 1
    assert len(result.cutoffs) == 3 and len(result.worst_days) == 5


def test_backtest_refuses_too_short_a_history(series):
    with pytest.raises(ValueError, match="needs .* hours of history per series; the shortest has 2688"):
        backtest(series, cutoffs=8, horizon_days=14)


@pytest.mark.parametrize(("day", "said"), [
    (date(2025, 12, 25), "bank holiday: Christmas Day"),
    (date(2025, 12, 31), "New Year's Eve"),
    (date(2025, 10, 20), "Diwali"),
    (date(2025, 6, 7), "Saturday"),
])
def test_describe_day_names_what_the_calendar_knows(day, said):
    assert said in describe_day(day)
