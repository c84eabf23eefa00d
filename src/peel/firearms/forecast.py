"""When each year's cohort of outstanding renewals clears, for a given staffing.

How it is made: the weekly number of renewals decided is forecast with statsforecast's
AutoETS (an exponential-smoothing model chosen by AICc) fitted to the last two years of
weeks, with an 80% prediction interval. The forecast is scaled by the staffing asked for
(officers deciding in the last 8 weeks, plus the extra officers, over those officers). The
queue is worked oldest year due first, so a year's cohort clears on the week the forecast
decisions, added up, reach the renewals outstanding for that year and every earlier one;
the interval's upper and lower paths give the earliest and latest dates.

``backtest`` checks the method on the history: from past cut-off dates it forecasts the
decisions of the next weeks and compares them with what happened, beside the naive
forecast (every week like the last one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from peel.firearms.backlog import outstanding_by_year

HISTORY_WEEKS = 104
LEVEL = 80
STAFF_WINDOW_WEEKS = 8


@dataclass(frozen=True)
class Clearance:
    year_due: int
    outstanding: int
    clears: date | None  # None: not within the horizon
    earliest: date | None
    latest: date | None


@dataclass(frozen=True)
class Forecast:
    as_of: date
    officers: int  # deciding in the last STAFF_WINDOW_WEEKS weeks
    extra: int
    weekly_now: float  # decisions per week forecast for the coming week, at the staffing asked
    cohorts: list[Clearance]
    method: str = "statsforecast AutoETS on weekly renewal decisions, 80% interval"


def weekly_decisions(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Renewals decided per full week (weeks starting Monday) up to ``as_of``; zero weeks kept."""
    end = as_of - timedelta(days=as_of.weekday())  # the Monday of as_of's week: not complete
    start = end - timedelta(weeks=HISTORY_WEEKS)
    rows = con.execute(
        """SELECT date_trunc('week', decided_date)::DATE AS ds, count(*) AS y FROM firearms_application
           WHERE kind = 'renewal' AND decided_date >= ? AND decided_date < ? GROUP BY 1""",
        [start, end]).df()
    weeks = pd.DataFrame({"ds": pd.date_range(start, end - timedelta(weeks=1), freq="W-MON")})
    series = weeks.merge(rows.assign(ds=pd.to_datetime(rows.ds)), on="ds", how="left").fillna({"y": 0})
    return series.assign(unique_id="renewals")[["unique_id", "ds", "y"]]


def officers_deciding(con: duckdb.DuckDBPyConnection, as_of: date) -> int:
    """How many officers decided renewals in the last weeks: the staffing the history shows."""
    return int(con.execute(
        "SELECT count(DISTINCT decided_by) FROM firearms_application WHERE decided_date > ? AND decided_date <= ?",
        [as_of - timedelta(weeks=STAFF_WINDOW_WEEKS), as_of]).fetchone()[0])


def predict(history: pd.DataFrame, horizon: int, model: str = "ets") -> pd.DataFrame:
    """Weekly forecasts (mean, lo, hi) for ``horizon`` weeks after ``history``."""
    from peel.settings import cache_compiled_forecasts

    cache_compiled_forecasts()  # before statsforecast is imported
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive

    chosen = AutoETS(season_length=1) if model == "ets" else Naive()
    sf = StatsForecast(models=[chosen], freq="W-MON", n_jobs=1)
    out = sf.forecast(df=history, h=horizon, level=[LEVEL])
    name = type(chosen).__name__
    return pd.DataFrame({"mean": out[name].to_numpy(), "lo": out[f"{name}-lo-{LEVEL}"].to_numpy(),
                         "hi": out[f"{name}-hi-{LEVEL}"].to_numpy()}).clip(lower=0)


def forecast_clearance(con: duckdb.DuckDBPyConnection, as_of: date, extra: int = 0,
                       horizon: int = 104) -> Forecast:
    """When each year due clears, with ``extra`` officers beyond those deciding now."""
    officers = officers_deciding(con, as_of)
    if officers == 0:
        raise ValueError(f"No renewal was decided in the {STAFF_WINDOW_WEEKS} weeks before {as_of}: "
                         "there is no throughput to forecast from.")
    if officers + extra <= 0:
        raise ValueError(f"--staff {extra:+d} leaves no officers ({officers} decide renewals now).")
    scale = (officers + extra) / officers
    weekly = predict(weekly_decisions(con, as_of), horizon) * scale
    start = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=1)
    weeks = [start + timedelta(weeks=i) for i in range(horizon)]
    cohorts, ahead = [], 0
    for year, n in sorted(outstanding_by_year(con, as_of).items()):
        ahead += n
        cohorts.append(Clearance(year, n, *(_reached(weeks, weekly[c].cumsum(), ahead) for c in ("mean", "hi", "lo"))))
    return Forecast(as_of, officers, extra, round(float(weekly["mean"].iloc[0]), 1), cohorts)


def _reached(weeks: list[date], cumulative: pd.Series, target: int) -> date | None:
    hit = np.flatnonzero(cumulative.to_numpy() >= target)
    return weeks[hit[0]] + timedelta(days=6) if len(hit) else None  # the end of that week


@dataclass(frozen=True)
class Backtest:
    cutoffs: int
    horizon: int
    model_error: float  # mean absolute percentage error of the horizon's total decisions
    naive_error: float
    rows: list[dict]


def backtest(con: duckdb.DuckDBPyConnection, as_of: date, cutoffs: int = 8, horizon: int = 8,
             step: int = 4) -> Backtest:
    """Forecast from ``cutoffs`` past dates (every ``step`` weeks, the last ``horizon`` weeks
    before ``as_of``) and compare each forecast's total with the decisions that followed."""
    rows = []
    last = as_of - timedelta(weeks=horizon)
    for k in range(cutoffs):
        cut = last - timedelta(weeks=step * k)
        actual = weekly_decisions(con, cut + timedelta(weeks=horizon))["y"].tail(horizon).sum()
        history = weekly_decisions(con, cut)
        model = predict(history, horizon)["mean"].sum()
        naive = predict(history, horizon, "naive")["mean"].sum()
        rows.append({"cutoff": cut, "actual": int(actual), "model": round(float(model)),
                     "naive": round(float(naive))})
    frame = pd.DataFrame(rows)
    ape = lambda col: float((abs(frame[col] - frame.actual) / frame.actual.clip(lower=1)).mean())
    return Backtest(cutoffs, horizon, ape("model"), ape("naive"), rows)
