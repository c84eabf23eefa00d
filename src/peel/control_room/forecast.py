"""Forecasting demand by the hour, and back-testing the forecast against a baseline.

The model is statsforecast's ``SeasonalWindowAverage``: each hour of the week ahead is the
mean of the same hour of the week over the last few weeks. Its 80% intervals are split
conformal, per series and per hour of the horizon: the model forecasts the ``WINDOWS`` past
windows just before the cut-off, and the interval's half-width is the k-th smallest of its n
absolute errors at that hour ahead, k = ceil((n + 1) x 0.80). That is the order statistic that
guarantees 80% coverage for errors that behave like the past ones, whatever the shape of the
noise (Lei et al. 2018, "Distribution-free predictive inference for regression").
statsforecast's own conformal intervals take the plain 80% quantile of the n errors instead,
which covers only about (0.8 (n - 1) + 1) / (n + 1) of new hours: 74% with 10 windows (the
back-test measured 74.9%). Hourly contact counts are dominated by
chance (a district sees a few calls an hour), which averaging weeks damps; models that also fit
trend and several seasonalities (MSTL, Theta) took 1-2 s a series on this machine against
milliseconds here, too slow for a year of hours for every channel, grade and district.

The weekly pattern is keyed by the local (Europe/London) hour of the week, not the UTC hour:
people call at 09:00 on the clock, so after a clock change the pattern must follow the clock.
Series arrive keyed by UTC instants (``demand.hourly_demand``); ``to_local_clock`` lays them on
the local wall clock before the model sees them, and the forecasts are put back on the UTC
instants after. The clocks make two wrinkles on the wall clock: the hour that happens twice
when they go back is one wall-clock hour there (the mean of the two hours: the pattern is a
rate per hour), and the hour that does not exist when they go forward is filled from its
neighbours for the model's sake only (it is never forecast, reported or scored).

The baseline is the seasonal-naive forecast (the same hour last week, on the same clock). Errors are MASE: mean
absolute error divided by the seasonal-naive forecast's in-sample error on the training data,
so 1.0 is as good as repeating last week, lower is better.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from peel.settings import cache_compiled_forecasts

WEEK = 168  # hours: the season both the model and the baseline repeat
WEEKS_AVERAGED = 4
# Past windows (each a horizon long) the intervals learn their spread from. More windows make
# the interval less coarse but reach further back; 10 fortnights is the last twenty weeks.
WINDOWS = 10
LEVEL = 80  # the interval's nominal coverage, percent
MODEL, BASELINE = "forecast", "seasonal_naive"


def _statsforecast():
    cache_compiled_forecasts()
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive, SeasonalWindowAverage

    return StatsForecast(models=[
        SeasonalWindowAverage(season_length=WEEK, window_size=WEEKS_AVERAGED, alias=MODEL),
        SeasonalNaive(season_length=WEEK, alias=BASELINE),
    ], freq="h")


def conformal_rank(windows: int) -> int:
    """k: the interval's half-width is the k-th smallest of ``windows`` past absolute errors."""
    rank = -(-(windows + 1) * LEVEL // 100)  # ceil((n + 1) x level), in whole numbers
    if rank > windows:
        raise ValueError(f"{LEVEL}% intervals need at least {-(-LEVEL // (100 - LEVEL))} past windows to learn "
                         f"from; {windows} were asked for.")
    return rank


def history_needed(horizon_hours: int, windows: int) -> int:
    """Hours of history a series needs: the weeks averaged before the first past window."""
    return windows * horizon_hours + WEEKS_AVERAGED * WEEK


def rolling_forecasts(local: pd.DataFrame, horizon_hours: int, cutoffs: int, windows: int = WINDOWS) -> pd.DataFrame:
    """Forecasts of the ``horizon_hours`` after each of ``cutoffs`` cut-offs a horizon apart,
    the last ``horizon_hours`` before the series' end, with 80% intervals learnt from the
    ``windows`` windows before each cut-off. ``local`` is unique_id, ds, y (every series the
    same hours); rows: unique_id, ds, cutoff, y, mean, lo, hi, baseline."""
    conformal_rank(windows)
    rows = _tidy(_statsforecast().cross_validation(df=local[["unique_id", "ds", "y"]], h=horizon_hours,
                                                   n_windows=windows + cutoffs, step_size=horizon_hours))
    rows = rows.sort_values(["unique_id", "cutoff", "ds"], ignore_index=True)
    errors = _errors_by_window(rows, horizon_hours)
    past = np.lib.stride_tricks.sliding_window_view(errors, windows, axis=1)[:, :cutoffs]
    rows = rows.groupby("unique_id", sort=False).tail(cutoffs * horizon_hours).reset_index(drop=True)
    return _with_interval(rows, _half_width(past, windows, axis=-1).reshape(-1))


def _errors_by_window(rows: pd.DataFrame, horizon_hours: int) -> np.ndarray:
    """|y - mean| of cross-validation ``rows`` (sorted by series, cut-off, hour) as an array
    (series, window, hour ahead)."""
    errors = (rows["y"] - rows["mean"]).abs().to_numpy()
    return errors.reshape(rows["unique_id"].nunique(), -1, horizon_hours)


def _half_width(past: np.ndarray, windows: int, axis: int) -> np.ndarray:
    """The k-th smallest of the past errors along ``axis`` (see ``conformal_rank``)."""
    return np.take(np.sort(past, axis=axis), conformal_rank(windows) - 1, axis=axis)


def _with_interval(rows: pd.DataFrame, half_width: np.ndarray) -> pd.DataFrame:
    return rows.assign(lo=(rows["mean"] - half_width).clip(lower=0), hi=rows["mean"] + half_width)


def to_local_clock(series: pd.DataFrame, time_zone: str = "Europe/London") -> pd.DataFrame:
    """``series`` (unique_id, ds as naive UTC hour starts, y) on the local wall clock: ds becomes
    the naive local hour, the repeated autumn hour is averaged into one, the missing spring
    hour is interpolated from its neighbours; ``filled`` marks the hours made up that way."""
    local = series.assign(ds=_wall_clock(series["ds"], time_zone))
    local = local.groupby(["unique_id", "ds"], as_index=False, sort=True)["y"].mean()
    out = []
    for uid, one in local.groupby("unique_id", sort=True):
        grid = pd.date_range(one["ds"].min(), one["ds"].max(), freq="h")
        y = one.set_index("ds")["y"].reindex(grid)
        out.append(pd.DataFrame({"unique_id": uid, "ds": grid, "y": y.interpolate().to_numpy(),
                                 "filled": y.isna().to_numpy()}))
    return pd.concat(out, ignore_index=True)


def _wall_clock(utc: pd.Series, time_zone: str) -> pd.Series:
    return pd.to_datetime(utc).dt.tz_localize("UTC").dt.tz_convert(time_zone).dt.tz_localize(None)


def forecast_demand(series: pd.DataFrame, horizon_hours: int, windows: int = WINDOWS,
                    time_zone: str = "Europe/London") -> pd.DataFrame:
    """Hourly forecasts for the ``horizon_hours`` UTC hours after the last hour of ``series``
    (unique_id, ds, y as ``demand.hourly_demand`` gives them), learnt on the local clock:
    unique_id, ds (UTC), mean, lo, hi (never below zero)."""
    last = pd.Timestamp(series["ds"].max())
    targets = pd.Series(pd.date_range(last + pd.Timedelta(hours=1), periods=horizon_hours, freq="h"))
    walls = _wall_clock(targets, time_zone)
    local = to_local_clock(series, time_zone)
    ahead = int((walls.max() - local["ds"].max()) / pd.Timedelta(hours=1))
    _refuse_short(local, ahead, windows, f"Forecasting {ahead} hours ahead")
    sf, train = _statsforecast(), local[["unique_id", "ds", "y"]]
    past = _errors_by_window(_tidy(sf.cross_validation(df=train, h=ahead, n_windows=windows, step_size=ahead))
                             .sort_values(["unique_id", "cutoff", "ds"]), ahead)
    out = _tidy(sf.forecast(df=train, h=ahead)).sort_values(["unique_id", "ds"], ignore_index=True)
    out = _with_interval(out, _half_width(past, windows, axis=1).reshape(-1))
    wanted = pd.DataFrame({"ds": targets, "wall": walls})
    out = out.rename(columns={"ds": "wall"}).merge(wanted, on="wall").drop(columns="wall")
    return out.sort_values(["unique_id", "ds"])[["unique_id", "ds", "mean", "lo", "hi", "baseline"]].reset_index(
        drop=True)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(columns={MODEL: "mean", BASELINE: "baseline"})
    for column in ("mean", "baseline"):
        renamed[column] = renamed[column].clip(lower=0)
    keep = [c for c in ("unique_id", "ds", "cutoff", "y", "mean", "baseline") if c in renamed]
    return renamed[keep].reset_index(drop=True)


def _refuse_short(local: pd.DataFrame, horizon_hours: int, windows: int, doing: str) -> None:
    needed, length = history_needed(horizon_hours, windows), local.groupby("unique_id").size().min()
    if length < needed:
        raise ValueError(f"{doing} needs {needed} hours of history per series ({windows} windows of "
                         f"{horizon_hours} hours after the first {WEEKS_AVERAGED} weeks); the shortest "
                         f"has {length}. Give fewer cut-offs or windows, or more data.")


@dataclass
class Backtest:
    """How the forecast did from past cut-offs, horizon day by horizon day."""

    cutoffs: list[pd.Timestamp]
    mase: pd.DataFrame  # horizon_day, forecast, seasonal_naive (mean MASE over series and cut-offs)
    coverage: float  # share of actual hours inside the 80% interval
    worst_days: pd.DataFrame  # local day, scaled error, what the calendar says of it
    rows: pd.DataFrame = field(repr=False)  # every forecast hour: unique_id, ds (local), cutoff, y, mean...

    @property
    def beats_baseline_every_day(self) -> bool:
        return bool((self.mase[MODEL] < self.mase[BASELINE]).all())


def backtest(series: pd.DataFrame, cutoffs: int = 8, horizon_days: int = 14, windows: int = WINDOWS,
             time_zone: str = "Europe/London", worst: int = 5) -> Backtest:
    """Forecast ``horizon_days`` ahead from ``cutoffs`` past cut-offs, a horizon apart and
    ending at the series' last hour; compare with the seasonal-naive baseline."""
    h = horizon_days * 24
    local = to_local_clock(series, time_zone)
    _refuse_short(local, h, cutoffs + windows, f"Back-testing {cutoffs} cut-offs {horizon_days} days ahead")
    rows = rolling_forecasts(local, h, cutoffs, windows)
    # Score only hours that happened: not the spring hour the wall clock skips.
    rows = rows.merge(local[["unique_id", "ds", "filled"]], on=["unique_id", "ds"])
    rows = rows[~rows.pop("filled")].reset_index(drop=True)
    scale = _naive_scale(local, rows["cutoff"].min())
    rows["scale"] = rows["unique_id"].map(scale)
    rows["horizon_day"] = ((rows["ds"] - rows["cutoff"]) / pd.Timedelta(hours=1) - 1).astype(int) // 24 + 1
    for column in ("mean", "baseline"):
        rows[f"err_{column}"] = (rows["y"] - rows[column]).abs() / rows["scale"]
    mase = rows.groupby("horizon_day")[["err_mean", "err_baseline"]].mean().reset_index().rename(
        columns={"err_mean": MODEL, "err_baseline": BASELINE})
    coverage = float(((rows["y"] >= rows["lo"]) & (rows["y"] <= rows["hi"])).mean())
    rows["local_day"] = rows["ds"].dt.date
    daily = rows.groupby("local_day")["err_mean"].mean().sort_values(ascending=False).head(worst)
    worst_days = pd.DataFrame({"day": daily.index, "scaled_error": daily.to_numpy(),
                               "calendar": [describe_day(d) for d in daily.index]})
    return Backtest(sorted(rows["cutoff"].unique()), mase, coverage, worst_days, rows)


def _naive_scale(series: pd.DataFrame, before: pd.Timestamp) -> pd.Series:
    """Per series: the in-sample mean absolute error of last week's value, up to ``before``."""
    train = series[series["ds"] <= before].sort_values(["unique_id", "ds"])
    diff = train.groupby("unique_id")["y"].diff(WEEK).abs()
    scale = diff.groupby(train["unique_id"]).mean()
    return scale.where(scale > 0, 1.0)


def describe_day(day: date) -> str:
    """What the calendar says of a day: bank holidays (the holidays library), New Year's Eve
    and the shared calendar's events (Diwali...), or the weekday when it says nothing."""
    import holidays

    from peel.measures.calendar import get_calendar_events

    names = []
    bank = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    if day in bank:
        names.append(f"bank holiday: {bank[day]}")
    if (day.month, day.day) == (12, 31):
        names.append("New Year's Eve")
    names += [e.name for e in get_calendar_events(range(day.year, day.year + 1)) if e.day == day]
    return "; ".join(names) or day.strftime("%A")
