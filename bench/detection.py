"""Benchmark: how well peel's pattern detectors find what the demo force plants, and how often
they flag what it does not.

Over many seeds of the demo force generator and a range of planted effect sizes, each detector
is scored as a statistician would:

- **power**: the share of planted effects it finds;
- **false positives**: flags where nothing was planted, as the share of test families (the set
  of tests a declared rate covers) with at least one false flag, against the declared rate.

The detectors and what counts as planted (always the generator's own record, ``describe_truth``):

- *unusual months* (``PatternReport.past_spikes``): a planted effect is one Diwali year in one
  district with the community the uplift is planted in (residential burglary and burglary),
  found when that district is flagged in a month the uplift's window touches. A family is one
  scope's past months in every area (Bonferroni at EXCEEDANCE_ALPHA).
- *calendar events* (``PatternReport.events``): the same district-years, found when that
  year's Diwali rose significantly in the district. A family is one occurrence of an event in
  every area (Bonferroni at UPLIFT_ALPHA).
- *recurring events* (``EventReport.recurring``): each district the uplift is planted in,
  found when its rise over every Diwali pooled is significant. A family is one event's pooled
  test in every area (Bonferroni at UPLIFT_ALPHA).
- *event neighbourhoods* (``EventReport.neighbourhoods``): each planted neighbourhood, found
  when Diwali names it; the declared rate is a false discovery rate (NEIGHBOURHOOD_FDR).
- *steps* (``PatternReport.step``): the shoplifting step, found when a step is reported within
  STEP_TOLERANCE_MONTHS of the planted month. A family is one scope's series (STEP_ALPHA). A
  step reported further from the planted one is *misplaced*: a miss (not found), but not a
  false flag, since the series did shift and STEP_ALPHA bounds flagging a series that did not;
  misplaced steps are counted apart.

A flag of the whole force in a planted window (the force total carries the district's rise, or
the step) is real but not what is scored: it counts neither as found nor as false.

The effect size is a *strength*: the planted multipliers are today's raised to it (1 is the demo
force as shipped, Diwali x6 and the step x1.35; 0 plants nothing, so its "power" is what chance
alone flags). Each seed draws the same crimes at every strength but for the planted effects
(one random stream per component), so the curves compare like with like. Detection runs exactly
as ``peel measures`` runs it (``resolve_scope``, ``apply_scope``, ``detect_patterns``), on a
warehouse in a temporary PEEL_HOME, never the user's.

    .venv/bin/python -m bench detection             # the full run: 20 seeds
    .venv/bin/python bench/detection.py --seeds 3   # a quick look

Before and after a change to the detectors: run the same bench on the old code (its sources
first on PYTHONPATH) with ``--label before``, then on the new with ``--label after``; each run
writes its tallies to bench/out/detection_<label>.json, and the chart draws every label found
there, each with its own dash.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).parent / "out"
SEEDS = 20
SIZE = 0.2  # a fifth of a county force per seed: a full run in minutes (see the docstring)
START, END, AS_OF = "2022-01", "2026-03", "2026-03-11"  # four Diwalis, and the step inside
STRENGTHS = [0.0, 0.5, 1.0, 1.5]  # 1.5: Diwali x14.7, step x1.57
STEP_TOLERANCE_MONTHS = 3  # a step reported this many months or fewer from the planted month is found
# The scopes a seed is tested in: where the Diwali uplift is planted (its subtype, and its type,
# which dilutes it), and the crime type the step is planted in.
DIWALI_SCOPES = ["residential-burglary", "burglary"]
STEP_SCOPE = "shoplifting"
DETECTORS = ["unusual months", "calendar events", "recurring events", "event neighbourhoods", "steps"]


@dataclass
class Tally:
    """One detector's score at one effect size, summed over seeds and scopes."""

    planted: int = 0
    found: int = 0
    families: int = 0
    families_with_false: int = 0
    false_flags: int = 0
    flags: int = 0
    false_cells: list = field(default_factory=list)  # where the false flags were, to read them
    misplaced: int = 0  # steps reported where one was planted, but beyond the tolerance

    def add(self, planted: int, found: int, false_cells: list, flags: int, where: str = "") -> None:
        """Add one family of tests: its planted effects, those found, its false cells and all flags."""
        false_flags = len(false_cells)
        self.false_cells += [f"{where} {cell}" for cell in false_cells]
        self.planted += planted
        self.found += found
        self.families += 1
        self.families_with_false += false_flags > 0
        self.false_flags += false_flags
        self.flags += flags

    @property
    def power(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def false_positive_rate(self) -> float | None:
        """The share of families with at least one false flag (the family-wise error rate)."""
        return self.families_with_false / self.families if self.families else None

    @property
    def false_discovery_rate(self) -> float | None:
        return self.false_flags / self.flags if self.flags else None


def score_family(flags: set, planted: dict[object, set], ignored: set = frozenset()) -> tuple[int, int, list, int]:
    """(planted, found, false flags' cells, flags) for one family of tests.

    ``flags`` are the cells the detector flagged; ``planted`` maps each planted effect to the
    cells where flagging it counts as finding it; a flag in no planted cell and not in
    ``ignored`` (real but not scored) is false.
    """
    found = sum(1 for cells in planted.values() if cells & flags)
    hit = set().union(*planted.values()) | set(ignored)
    return len(planted), found, sorted(flags - hit, key=str), len(flags)


def _months_touching(start: date, end: date) -> set[date]:
    months, m = set(), start.replace(day=1)
    while m <= end:
        months.add(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return months


def score_report(report, scope_slug: str, truth: dict, strength: float, event_families: int, tallies: dict,
                 event_names: list[str], seed: int = 0) -> None:
    """Score one scope's PatternReport against the generator's truth, into ``tallies``
    ({detector: Tally}); ``event_names``: every declared calendar event (an event with no rise
    anywhere is left out of the report but is still a family of tests)."""
    where = f"seed {seed} {scope_slug}:"
    diwali = truth["diwali_burglary"]
    years = [y for y in diwali["years"] if y["complete"]]
    windows = {int(y["year"]): (date.fromisoformat(y["start"]), date.fromisoformat(y["end"])) for y in years}
    diwali_here = scope_slug in DIWALI_SCOPES
    districts = diwali["districts"] if diwali_here else []

    # Unusual months: cells (area code, month); the force's own series is None.
    flags = {(s.area_code, s.exceedance.month) for s in report.past_spikes}
    planted = {(d, y): {(d, m) for m in _months_touching(*w)} for d in districts for y, w in windows.items()}
    ignored = {(None, m) for w in windows.values() for m in _months_touching(*w)} if diwali_here else set()
    if scope_slug == STEP_SCOPE and strength > 0:
        ignored |= {(None, s.exceedance.month) for s in report.past_spikes}  # the force's level moved
    tallies["unusual months"].add(*score_family(flags, planted, ignored), where=where)

    # Calendar events: cells (event, year, area code), one family per occurrence.
    raised = {(e.event_name, o.event.day.year): {u.area_code for u in o.uplifts} for e in report.events for o in e.occurrences}
    for (name, year), areas in raised.items():
        cells = {(name, year, a) for a in areas}
        planted = {(d, year): {(name, year, d)} for d in districts} if name == "Diwali" else {}
        ignored = {(name, year, None)} if name == "Diwali" and diwali_here else set()
        tallies["calendar events"].add(*score_family(cells, planted, ignored), where=where)
    quiet_diwalis = [y for y in windows if ("Diwali", y) not in raised] if diwali_here else []
    for year in quiet_diwalis:
        tallies["calendar events"].add(len(districts), 0, [], 0)
    for _ in range(event_families - len(raised) - len(quiet_diwalis)):
        tallies["calendar events"].add(0, 0, [], 0)  # an occurrence with no rise anywhere

    # Rises over every year of an event pooled: cells (event, area code), one family per event.
    recurring = {e.event_name: {(e.event_name, u.area_code) for u in e.recurring} for e in report.events}
    for name in event_names:
        planted = {d: {(name, d)} for d in districts} if name == "Diwali" else {}
        ignored = {(name, None)} if name == "Diwali" and diwali_here else set()
        tallies["recurring events"].add(*score_family(recurring.get(name, set()), planted, ignored), where=where)

    # Neighbourhoods named for an event, pooled over its years: cells (event, area code).
    named = {(e.event_name, n.area_code) for e in report.events for n in e.neighbourhoods}
    planted = {code: {("Diwali", code)} for code in diwali["neighbourhoods"]} if diwali_here else {}
    tallies["event neighbourhoods"].add(*score_family(named, planted), where=where)

    # Steps: cells are months; the planted step is found within the tolerance.
    flags = {report.step.month} if report.step else set()
    planted, misplaced = {}, set()
    if scope_slug == STEP_SCOPE and strength > 0:
        from peel.measures.periods import add_months

        step_month = date.fromisoformat(truth["step_change"]["from_month"] + "-01")
        planted = {"step": {add_months(step_month, k) for k in range(-STEP_TOLERANCE_MONTHS, STEP_TOLERANCE_MONTHS + 1)}}
        misplaced = flags - planted["step"]  # the series shifted: a miss, not a false flag
    tallies["steps"].add(*score_family(flags, planted, misplaced), where=where)
    tallies["steps"].misplaced += len(misplaced)


def count_event_occurrences(first: date, as_of: date) -> int:
    """How many event occurrences measure_event_uplifts tests (window and reference within the
    data), so that occurrences with no rise, which the report leaves out, count as families."""
    from peel.crime.events import REFERENCE_DAYS
    from peel.measures.calendar import ATTRIBUTION_WINDOW_DAYS, get_calendar_events

    margin = timedelta(days=ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS)
    return sum(1 for e in get_calendar_events(range(first.year, as_of.year + 1))
               if e.day - margin >= first and e.day + margin <= as_of)


def scale_effects(effects: dict, strength: float) -> dict:
    """The planted effects with their multipliers raised to ``strength`` (1 leaves them as they are)."""
    scaled = {k: dict(v) if isinstance(v, dict) else v for k, v in effects.items()}
    scaled["diwali_burglary"]["factor"] = effects["diwali_burglary"]["factor"] ** strength
    scaled["step_change"]["factor"] = effects["step_change"]["factor"] ** strength
    return scaled


def run(seeds: list[int], strengths: list[float], size: float, con, label: str) -> dict[float, dict[str, Tally]]:
    """Generate, load and detect for every seed and strength; return the tallies per strength,
    saved under ``label`` after every seed (a long run stopped early keeps what it measured)."""
    from peel.crime.compute import get_data_as_of, get_data_first_month
    from peel.crime.patterns import detect_patterns
    from peel.crime.scope import apply_scope, resolve_scope
    from peel.demo import make_random_streams, read_effects
    from peel.demo.calendar import get_last_day_of_month
    from peel.demo.crimes import generate_crime_data
    from peel.demo.force import generate_force
    from peel.demo.load import load_crime_records
    from peel.demo.truth import describe_truth
    from peel.measures.calendar import CALENDAR_EVENTS
    from peel.measures.periods import parse_day, parse_month

    first_day, as_of = parse_month(START, "start"), parse_day(AS_OF, "as_of")
    last_day = min(get_last_day_of_month(parse_month(END, "end")), as_of)
    effects = read_effects()
    event_names = list(dict.fromkeys(name for name, _, _ in CALENDAR_EVENTS))
    tallies = {s: {d: Tally() for d in DETECTORS} for s in strengths}
    for seed in seeds:
        for strength in strengths:
            planted = scale_effects(effects, strength)
            rngs = make_random_streams(seed)  # the same draws at every strength
            force = generate_force(rngs["force"], planted["diwali_burglary"]["min_hindu_share"])
            data = generate_crime_data(force, first_day, last_day, as_of, size, planted, rngs)
            truth = describe_truth(force, data, planted, seed=seed, size=size, first_day=first_day,
                                   last_day=last_day, as_of=as_of)
            load_crime_records(con, force.areas, data)
            snapshot, first = get_data_as_of(con), get_data_first_month(con)
            month = snapshot.replace(day=1)
            occurrences = count_event_occurrences(first, snapshot)
            for slug in [*DIWALI_SCOPES, STEP_SCOPE]:
                scope = resolve_scope(con, slug)
                apply_scope(con, scope)
                report = detect_patterns(con, scope, month, snapshot, first)
                score_report(report, slug, truth, strength, occurrences, tallies[strength], event_names, seed)
        save_tallies(tallies, label)
        print(f"  seed {seed} done", flush=True)
    return tallies


def _percent(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def print_table(tallies: dict[float, dict[str, Tally]], effects: dict) -> None:
    from peel.crime.events import NEIGHBOURHOOD_FDR, UPLIFT_ALPHA
    from peel.measures.stats import EXCEEDANCE_ALPHA, STEP_ALPHA

    declared = {"unusual months": EXCEEDANCE_ALPHA, "calendar events": UPLIFT_ALPHA, "recurring events": UPLIFT_ALPHA,
                "event neighbourhoods": NEIGHBOURHOOD_FDR, "steps": STEP_ALPHA}
    print(f"{'detector':<21}{'strength':>9}{'multiplier':>11}{'power':>30}{'false flags':>12}"
          f"{'false-positive rate':>26}{'declared':>10}")
    for detector in DETECTORS:
        key = "step_change" if detector == "steps" else "diwali_burglary"
        for strength, by_detector in tallies.items():
            t = by_detector[detector]
            if detector == "event neighbourhoods":
                rate = f"FDR {_percent(t.false_discovery_rate)} of {t.flags}"
            else:
                rate = f"{_percent(t.false_positive_rate)} ({t.families_with_false}/{t.families})"
            power = f"{_percent(t.power)} ({t.found}/{t.planted})"
            if t.misplaced:
                power += f", {t.misplaced} misplaced"
            print(f"{detector:<21}{strength:>9.2f}{effects[key]['factor'] ** strength:>11.2f}{power:>30}"
                  f"{t.false_flags:>12}{rate:>26}{declared[detector]:>10.0%}")
    print("\nwhere the false flags were (detector, strength, seed, scope, cell):")
    for detector in DETECTORS:
        for strength, by_detector in tallies.items():
            for cell in by_detector[detector].false_cells:
                print(f"  {detector} {strength:.2f} {cell}")


def save_tallies(tallies: dict[float, dict[str, Tally]], label: str) -> Path:
    """Write one run's tallies to bench/out/detection_<label>.json, for the before/after chart."""
    path = OUT / f"detection_{label}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"strength": s, "detector": d, **vars(t)} for s, by_detector in tallies.items() for d, t in by_detector.items()]
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return path


def write_chart(path: Path) -> None:
    """The power curves of every labelled run saved in bench/out (the latest solid, others dashed)."""
    from peel.render import render_chart

    runs = sorted(OUT.glob("detection_*.json"), key=lambda p: p.stat().st_mtime)
    values = []
    for run_file in runs:
        label = run_file.stem.removeprefix("detection_")
        for row in json.loads(run_file.read_text(encoding="utf-8")):
            if row["planted"]:
                values.append({"detector": row["detector"], "strength": row["strength"], "run": label,
                               "power": row["found"] / row["planted"]})
    svg = render_chart("crime/detection_power", values,
                       "Share of planted effects each pattern detector finds, by the strength of the planted "
                       f"effect ({', '.join(p.stem.removeprefix('detection_') for p in runs)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(svg), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"seeds of the generator (default {SEEDS})")
    parser.add_argument("--size", type=float, default=SIZE, help=f"demo force volume per seed (default {SIZE})")
    parser.add_argument("--label", default="latest", help="name of this run in the chart (e.g. before, after)")
    args = parser.parse_args()
    os.environ["PEEL_HOME"] = tempfile.mkdtemp(prefix="peel-bench-detection-")  # never the user's

    from peel.demo import read_effects
    from peel.warehouse import connect

    con = connect()
    t = time.perf_counter()
    tallies = run(list(range(1, args.seeds + 1)), STRENGTHS, args.size, con, args.label)
    seconds = time.perf_counter() - t
    con.close()
    runs = args.seeds * len(STRENGTHS)
    print(f"{args.seeds} seeds x {len(STRENGTHS)} strengths, demo force size {args.size}, {START}..{END}: "
          f"{seconds:.0f} s ({seconds / runs:.1f} s per generated force, {len(DIWALI_SCOPES) + 1} scopes each)")
    print_table(tallies, read_effects())
    save_tallies(tallies, args.label)
    chart = OUT / "detection_power.svg"
    write_chart(chart)
    print(f"power curves: {chart}")


if __name__ == "__main__":
    main()
