"""The detection benchmark's scoring (bench/detection.py), on cases small enough to count by hand,
and a run on two seeds of a small demo force."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

_PATH = Path(__file__).parents[2] / "bench" / "detection.py"
_spec = importlib.util.spec_from_file_location("bench_detection", _PATH)
detection = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = detection  # its dataclasses look their module up
_spec.loader.exec_module(detection)

TRUTH = {
    "diwali_burglary": {
        "districts": ["D1", "D2"],
        "neighbourhoods": ["N1", "N2"],
        "years": [{"year": "2024", "start": "2024-10-21", "end": "2024-11-10", "complete": True}],
    },
    "step_change": {"from_month": "2024-10"},
}


def _spike(area_code, month):
    return SimpleNamespace(area_code=area_code, exceedance=SimpleNamespace(month=month))


def _occurrence(day, areas):
    return SimpleNamespace(event=SimpleNamespace(day=day), uplifts=[SimpleNamespace(area_code=a) for a in areas])


def test_score_family_hand_counted():
    planted = {"a": {("D1", 10), ("D1", 11)}, "b": {("D2", 10)}}
    flags = {("D1", 11), ("D3", 6), (None, 10)}
    assert detection.score_family(flags, planted, ignored={(None, 10)}) == (2, 1, [("D3", 6)], 3)


def test_tally_rates_hand_counted():
    tally = detection.Tally()
    tally.add(2, 1, [("D3", 6)], 3, where="seed 1")
    tally.add(2, 2, [], 2)
    tally.add(0, 0, [], 0)
    assert (tally.power, tally.false_positive_rate, tally.false_discovery_rate) == (3 / 4, 1 / 3, 1 / 5)
    assert tally.false_cells == ["seed 1 ('D3', 6)"]


def test_score_report_hand_counted():
    report = SimpleNamespace(
        past_spikes=[_spike("D1", date(2024, 11, 1)), _spike(None, date(2024, 10, 1)), _spike("D3", date(2025, 6, 1))],
        events=[
            SimpleNamespace(event_name="Diwali", occurrences=[_occurrence(date(2024, 10, 31), ["D2", "D3"])],
                            neighbourhoods=[SimpleNamespace(area_code="N1"), SimpleNamespace(area_code="N9")],
                            recurring=[SimpleNamespace(area_code="D2")]),
            SimpleNamespace(event_name="Christmas", occurrences=[_occurrence(date(2024, 12, 25), [])], neighbourhoods=[],
                            recurring=[]),
        ],
        step=SimpleNamespace(month=date(2024, 10, 1)),
    )
    tallies = {d: detection.Tally() for d in detection.DETECTORS}
    # Three occurrences tested: Diwali 2024, Christmas 2024 and New Year 2025 (no rise, left out).
    detection.score_report(report, "residential-burglary", TRUTH, 1.0, 3, tallies,
                           event_names=["Diwali", "Christmas", "New Year"])
    months, events = tallies["unusual months"], tallies["calendar events"]
    places, steps = tallies["event neighbourhoods"], tallies["steps"]
    # D1 in November found, D2 missed; the force in October is real, not scored; D3 in June is false.
    assert (months.planted, months.found, months.false_flags, months.families) == (2, 1, 1, 1)
    # Diwali 2024: D2 found, D1 missed, D3 false; Christmas and New Year: clean families.
    assert (events.planted, events.found, events.false_flags, events.families, events.families_with_false) == (2, 1, 1, 3, 1)
    assert (places.planted, places.found, places.false_flags, places.flags) == (2, 1, 1, 2)
    # Diwali over the years: D2 found of the two planted districts; one family per declared event.
    recurring = tallies["recurring events"]
    assert (recurring.found, recurring.families) == (1, 3)
    # No step is planted in residential burglary: the one reported is false.
    assert (steps.planted, steps.false_flags, steps.families) == (0, 1, 1)


def test_run_two_seeds_small(peel_home, tmp_path, monkeypatch):
    from peel.warehouse import connect

    monkeypatch.setattr(detection, "OUT", tmp_path)
    con = connect()
    tallies = detection.run([1, 2], [0.0, 1.0], 0.05, con, "test")
    assert (tmp_path / "detection_test.json").exists()  # saved for the before/after chart
    scopes = len(detection.DIWALI_SCOPES) + 1
    for strength, by_detector in tallies.items():
        assert by_detector["unusual months"].families == 2 * scopes
        assert by_detector["steps"].families == 2 * scopes
        assert by_detector["steps"].planted == (2 if strength else 0)
        # The same planted district-years for the months and the events; four Diwalis in each.
        assert by_detector["unusual months"].planted == by_detector["calendar events"].planted
        assert by_detector["calendar events"].planted % (2 * 4) == 0
        assert by_detector["calendar events"].planted > 0
        for tally in by_detector.values():
            assert 0 <= tally.found <= tally.planted
            assert tally.families_with_false <= tally.families
    con.close()


@pytest.mark.parametrize("strength", [0.0, 1.0, 1.5])
def test_scale_effects_raises_each_multiplier_to_the_strength(strength):
    from peel.demo import read_effects

    effects = read_effects()
    scaled = detection.scale_effects(effects, strength)
    assert scaled["diwali_burglary"]["factor"] == pytest.approx(effects["diwali_burglary"]["factor"] ** strength)
    assert scaled["step_change"]["factor"] == pytest.approx(effects["step_change"]["factor"] ** strength)
    assert read_effects() == effects  # the shipped effects are not changed


def _step_only_report(month):
    return SimpleNamespace(past_spikes=[], events=[], step=SimpleNamespace(month=month) if month else None)


def test_a_step_far_from_the_planted_one_is_a_miss_not_a_false_flag():
    """The series did shift, so reporting the step in the wrong month loses power but is no
    false positive; within the tolerance it is found; where none is planted, it is false."""
    tallies = {d: detection.Tally() for d in detection.DETECTORS}
    far = date(2023, 10, 1)  # 12 months before the planted 2024-10
    near = date(2024, 10 + detection.STEP_TOLERANCE_MONTHS - 1, 1)
    for month in (far, near):
        detection.score_report(_step_only_report(month), detection.STEP_SCOPE, TRUTH, 1.0, 0, tallies, [])
    detection.score_report(_step_only_report(far), "burglary", TRUTH, 1.0, 0, tallies, [])
    steps = tallies["steps"]
    assert (steps.planted, steps.found, steps.misplaced) == (2, 1, 1)
    assert (steps.families, steps.families_with_false) == (3, 1)
    assert steps.false_cells == ["seed 0 burglary: 2023-10-01"]
