"""The pattern detectors' thresholds are declared once in code; the measure declarations
(and so docs/measures.md) quote them and must not drift from them."""

from peel.crime.events import NEIGHBOURHOOD_FDR, UPLIFT_ALPHA
from peel.measures.registry import get_measure
from peel.measures.stats import EXCEEDANCE_ALPHA, STEP_ALPHA


def _text(measure_id: str) -> str:
    m = get_measure(measure_id)
    return " ".join(f"{m.definition} {m.statistics}".split())


def test_get_measure_unusual_months_quotes_the_declared_threshold_and_exact_tail():
    text = _text("seasonal_exceedance")
    assert f"below {EXCEEDANCE_ALPHA:g} after a Bonferroni correction" in text
    assert "exact upper tail" in text and "negative binomial" in text


def test_get_measure_calendar_events_and_steps_quote_their_declared_thresholds():
    events = _text("calendar_event_uplift")
    assert f"below {UPLIFT_ALPHA:g} after a Bonferroni correction" in events
    assert f"false discovery rate of {NEIGHBOURHOOD_FDR:.0%}" in events
    assert f"below {STEP_ALPHA:g}" in _text("step_change")


def test_get_measure_step_quotes_its_simulations_floor_and_interval():
    from peel.measures.stats import STEP_MONTHS_CHI2, STEP_SIMULATIONS

    text = _text("step_change")
    assert f"{STEP_SIMULATIONS:,} simulated series" in text
    assert f"never below 1/{STEP_SIMULATIONS + 1:,}" in text
    assert f"p≤{1 / (1 + STEP_SIMULATIONS):.2g}" in text
    assert f"within {STEP_MONTHS_CHI2:.2f} x the dispersion" in text
