"""What the numbers can support: the exact upper bound on a false-alert rate, and survey
results with their margins of error.

"No false readings" is a claim about a rate. Zero false alerts in 40 alerts is consistent
with a true rate of up to 7.2% (95% upper bound), not with 0%: the bound is the exact
one-sided Clopper-Pearson bound (the beta quantile, scipy.stats), which at zero is
1 - 0.05^(1/n), about 3/n (the rule of three).
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import beta
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from peel.lfr.rules import get_rules


@dataclass(frozen=True)
class Rate:
    """``count`` of ``base`` with the exact upper bound on the rate; None with no base."""

    count: int
    base: int
    upper: float | None

    @property
    def rate(self) -> float | None:
        return self.count / self.base if self.base else None


def get_upper_bound(count: int, base: int, confidence: float | None = None) -> float | None:
    """The exact one-sided upper confidence bound on a rate from ``count`` events in ``base``
    trials (Clopper-Pearson); None when there were no trials (nothing can be said)."""
    if base <= 0:
        return None
    if not 0 <= count <= base:
        raise ValueError(f"a count of {count} cannot come from {base} trials")
    if count == base:
        return 1.0
    return float(beta.ppf(confidence or get_rules()["confidence"], count + 1, base - count))


def get_rate(count: int, base: int) -> Rate:
    return Rate(count, base, get_upper_bound(count, base))


@dataclass(frozen=True)
class SurveyResult:
    """One question of one survey: the share agreeing with its 95% interval (Wilson)."""

    survey_ref: str
    fieldwork_end: object
    question: str
    respondents: int
    agreeing: int
    share: float
    low: float
    high: float
    change: float | None = None  # since the previous survey, in share points
    change_low: float | None = None
    change_high: float | None = None

    @property
    def margin(self) -> float:
        """Half the interval's width: the "plus or minus" a reader expects."""
        return (self.high - self.low) / 2

    @property
    def change_is_clear(self) -> bool:
        """Whether the change since the previous survey is more than sampling would give
        (its interval excludes zero)."""
        return self.change_low is not None and (self.change_low > 0 or self.change_high < 0)


def get_survey_result(survey_ref: str, fieldwork_end, question: str, respondents: int, agreeing: int,
                      previous: SurveyResult | None = None) -> SurveyResult:
    """A survey question's result with its margin, and the change since ``previous`` (the same
    question's last result) with the change's own interval (Newcombe's method)."""
    alpha = 1 - get_rules()["confidence"]
    low, high = proportion_confint(agreeing, respondents, alpha=alpha, method="wilson")
    change = change_low = change_high = None
    if previous is not None:
        change = agreeing / respondents - previous.share
        change_low, change_high = confint_proportions_2indep(
            agreeing, respondents, previous.agreeing, previous.respondents, method="newcomb", alpha=alpha)
    return SurveyResult(survey_ref, fieldwork_end, question, respondents, agreeing, agreeing / respondents,
                        float(low), float(high), change, change_low and float(change_low),
                        change_high and float(change_high))
