"""The statistics measures share: change tests, seasonal expectation, unusual months, steps.

Counts of crime are modelled as over-dispersed Poisson (quasi-Poisson): the variance is the
mean times a dispersion estimated from the data, because crimes cluster. Thresholds are
declared here once and quoted by definitions.yaml.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

CHANGE_ALPHA = 0.05  # a 12-month change is significant below this two-sided p-value
EXCEEDANCE_ALPHA = 0.01  # a month is unusual below this one-sided p-value, Bonferroni-corrected
STEP_ALPHA = 0.01  # a step is reported below this p-value, Bonferroni-corrected
STEP_MIN_SIDE = 6  # months needed on each side of a candidate step
ROBUST_Z = 3.0  # months further than this above the fit are left out of the baseline


@dataclass(frozen=True)
class ChangeTest:
    current: int
    previous: int
    change: int
    percent: float | None
    p_value: float
    significant: bool
    method: str = "exact conditional test for two Poisson counts (binomial, two-sided)"


def compare_counts(current: int, previous: int) -> ChangeTest:
    """Is the change from ``previous`` to ``current`` (equal-length periods) more than chance?"""
    total = current + previous
    p_value = stats.binomtest(current, total, 0.5).pvalue if total else 1.0
    percent = (current - previous) / previous * 100 if previous else None
    return ChangeTest(current, previous, current - previous, percent, float(p_value), p_value < CHANGE_ALPHA)


def _design(months: pd.DatetimeIndex, step_at: date | None = None) -> pd.DataFrame:
    """Intercept, linear trend in years, month-of-year effects, and optionally a step."""
    t = (months.year - months.year.min()) + (months.month - 1) / 12
    X = pd.DataFrame({"const": 1.0, "trend": np.asarray(t, dtype=float)}, index=months)
    for m in range(2, 13):
        X[f"m{m}"] = (months.month == m).astype(float)
    if step_at is not None:
        X["step"] = (months >= pd.Timestamp(step_at)).astype(float)
    return X.loc[:, X.std().gt(0) | (X.columns == "const")]


def _fit(y: pd.Series, exposure: pd.Series, X: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(exposure)).fit()
    df = max(len(y) - X.shape[1], 1)
    dispersion = max(float(np.sum(result.resid_pearson**2)) / df, 1.0)
    return result, dispersion


@dataclass
class SeasonalFit:
    expected: pd.Series  # expected count per month, at the month's exposure
    dispersion: float
    baseline: pd.Series  # True where the month was used to fit


def fit_seasonal(counts: pd.Series, exposure: pd.Series, exclude: set | None = None) -> SeasonalFit:
    """Fit month-of-year effects and a trend, leaving out months far above the fit.

    Past spikes (say, every Diwali) would otherwise become part of what is "normal" for
    that season; each pass drops months more than ROBUST_Z above the fit, then refits.
    """
    months = pd.DatetimeIndex(counts.index)
    X = _design(months)
    keep = pd.Series(True, index=counts.index)
    for month in exclude or ():
        keep[pd.Timestamp(month)] = False
    for _ in range(4):
        result, dispersion = _fit(counts[keep], exposure[keep], X[keep.values])
        expected = pd.Series(result.predict(X, offset=np.log(exposure)), index=counts.index)
        z = (counts - expected) / np.sqrt(dispersion * expected)
        new_keep = keep & (z <= ROBUST_Z)
        if new_keep.sum() < X.shape[1] + 6 or new_keep.equals(keep):
            break
        keep = new_keep
    return SeasonalFit(expected, dispersion, keep)


@dataclass(frozen=True)
class Exceedance:
    month: date
    observed: int
    expected: float
    z: float
    p_value: float

    @property
    def excess(self) -> float:
        return self.observed - self.expected

    @property
    def percent_above(self) -> float:
        return (self.observed / self.expected - 1) * 100 if self.expected else float("inf")


def score_exceedance(observed: float, expected: float, dispersion: float) -> tuple[float, float]:
    """z and one-sided p-value of a count against its quasi-Poisson expectation."""
    z = (observed - expected) / np.sqrt(dispersion * max(expected, 1e-9))
    return float(z), float(stats.norm.sf(z))


def find_unusual_months(
    counts: pd.Series, exposure: pd.Series, months: list[date], n_tests: int
) -> list[Exceedance]:
    """The months among ``months`` whose count is unusually high for the season.

    Each month tested is left out of its own baseline. ``n_tests`` is the number of tests
    in the whole family (months x areas) for the Bonferroni correction.
    """
    threshold = EXCEEDANCE_ALPHA / max(n_tests, 1)
    found = []
    if len(months) == 1:
        fit = fit_seasonal(counts, exposure, exclude={months[0]})
    else:
        fit = fit_seasonal(counts, exposure)
    for month in months:
        ts = pd.Timestamp(month)
        observed, expected = float(counts[ts]), float(fit.expected[ts])
        z, p = score_exceedance(observed, expected, fit.dispersion)
        if p < threshold:
            found.append(Exceedance(month, int(observed), expected, z, p))
    return found


@dataclass(frozen=True)
class StepChange:
    month: date
    percent: float
    p_value: float


def find_step_change(counts: pd.Series, exposure: pd.Series) -> StepChange | None:
    """The most likely lasting shift in level, if any is significant (see definitions.yaml)."""
    months = pd.DatetimeIndex(counts.index)
    if len(months) < 2 * STEP_MIN_SIDE + 12:
        return None
    # One-month spikes are not steps: leave them out before looking for a shift.
    keep = fit_seasonal(counts, exposure).baseline
    y, w = counts[keep], exposure[keep]
    base, _ = _fit(y, w, _design(pd.DatetimeIndex(y.index)))
    candidates = months[STEP_MIN_SIDE : len(months) - STEP_MIN_SIDE + 1]
    best = None
    for k in candidates:
        X = _design(pd.DatetimeIndex(y.index), step_at=k.date())
        if "step" not in X:
            continue
        result, dispersion = _fit(y, w, X)
        f = (base.deviance - result.deviance) / dispersion
        p = float(stats.f.sf(f, 1, max(len(y) - X.shape[1], 1)))
        if best is None or p < best[1]:
            best = (k.date(), p, float(np.exp(result.params["step"]) - 1) * 100)
    if best is None or best[1] * len(candidates) >= STEP_ALPHA:
        return None
    return StepChange(best[0], best[2], min(best[1] * len(candidates), 1.0))
