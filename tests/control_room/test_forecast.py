"""The hourly forecast and its back-test, on small synthetic series (numba compiles
statsforecast's models once; small series keep the rest quick)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from peel.control_room.forecast import (
    WEEK,
    backtest,
    conformal_rank,
    describe_day,
    forecast_demand,
    to_local_clock,
)


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
    out = forecast_demand(series, horizon_hours=48, windows=4)
    assert out.groupby("unique_id").size().to_dict() == {"101": 48, "999": 48}
    assert (out["lo"] <= out["mean"]).all() and (out["mean"] <= out["hi"]).all() and (out["lo"] >= 0).all()
    assert out["ds"].min() == series["ds"].max() + pd.Timedelta(hours=1)


def test_backtest_beats_seasonal_naive_on_noisy_counts(series):
    result = backtest(series, cutoffs=3, horizon_days=3, windows=4)
    assert list(result.mase["horizon_day"]) == [1, 2, 3]
    assert result.beats_baseline_every_day
    assert len(result.cutoffs) == 3 and len(result.worst_days) == 5


def test_backtest_covers_about_80_percent_of_steady_noise(series):
    # With 4 past windows the interval is the largest of 4 errors, which a fifth error beats
    # one time in five; the plain 80% quantile of 4 errors would cover about 68%.
    result = backtest(series, cutoffs=4, horizon_days=3, windows=4)
    assert 0.75 <= result.coverage <= 0.85


@pytest.mark.parametrize(("windows", "rank"), [(4, 4), (9, 8), (10, 9), (20, 17)])
def test_conformal_rank_is_the_order_statistic_that_guarantees_80_percent(windows, rank):
    assert conformal_rank(windows) == rank


def test_conformal_rank_refuses_too_few_windows():
    with pytest.raises(ValueError, match="80% intervals need at least 4 past windows to learn from; 3 were asked"):
        conformal_rank(3)


def test_backtest_refuses_too_short_a_history(series):
    # 2688 hours on the UTC clock, 2689 on the local one (the hour the clocks skip, filled).
    with pytest.raises(ValueError, match=r"needs 6720 hours of history per series \(18 windows of 336 hours after "
                                         r"the first 4 weeks\); the shortest has 2689"):
        backtest(series, cutoffs=8, horizon_days=14)


@pytest.mark.parametrize(("day", "said"), [
    (date(2025, 12, 25), "bank holiday: Christmas Day"),
    (date(2025, 12, 31), "New Year's Eve"),
    (date(2025, 10, 20), "Diwali"),
    (date(2025, 6, 7), "Saturday"),
])
def test_describe_day_names_what_the_calendar_knows(day, said):
    assert said in describe_day(day)


def clocked_series(first: str, weeks: int) -> pd.DataFrame:
    """Hourly UTC counts whose only peak is 09:00-10:00 on the UK clock, every day: 50 calls
    then, 5 in every other hour (no noise, so each hour's forecast is exact)."""
    ds = pd.date_range(first, periods=WEEK * weeks, freq="h")  # naive UTC hour starts
    local_hour = ds.tz_localize("UTC").tz_convert("Europe/London").hour
    return pd.DataFrame({"unique_id": "999", "ds": ds, "y": np.where(local_hour == 9, 50.0, 5.0)})


@pytest.mark.parametrize(("first", "change"), [
    ("2025-01-27", "2025-03-30"),  # clocks forward: 09:00 BST is 08:00 UTC after the change
    ("2025-08-25", "2025-10-26"),  # clocks back: 09:00 GMT is 09:00 UTC after the change
])
def test_forecast_demand_follows_the_local_clock_across_a_clock_change(first, change):
    history = clocked_series(first, weeks=9)
    history = history[history["ds"] < pd.Timestamp(change) + pd.Timedelta(days=1)]  # ends the day after
    out = forecast_demand(history, horizon_hours=WEEK, windows=4)
    local = out["ds"].dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    assert len(out) == WEEK and out["ds"].is_unique
    peak = out["mean"][local.dt.hour == 9]
    assert len(peak) == 7 and (peak == 50).all()  # 09:00 local every day of the week after
    assert (out["mean"][local.dt.hour.isin([8, 10])] == 5).all()  # not 08:00 or 10:00


def test_to_local_clock_averages_the_repeated_hour_and_fills_the_missing_one():
    ds = pd.date_range("2025-03-29 22:00", "2025-03-30 03:00", freq="h")  # spring: 01:00 GMT = 02:00 BST
    spring = to_local_clock(pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(len(ds), dtype=float)}))
    assert list(spring["ds"].dt.hour) == [22, 23, 0, 1, 2, 3, 4]
    assert list(spring["filled"]) == [False, False, False, True, False, False, False]
    assert spring["y"][3] == 2.5  # between 00:00 (2) and 02:00 (3)
    ds = pd.date_range("2025-10-25 23:00", "2025-10-26 02:00", freq="h")  # autumn: 01:00 twice
    autumn = to_local_clock(pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2.0, 4.0, 6.0]}))
    assert list(autumn["ds"].dt.hour) == [0, 1, 2]
    assert list(autumn["y"]) == [1.0, 3.0, 6.0]  # 01:00 BST (2) and 01:00 GMT (4) averaged
