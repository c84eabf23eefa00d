"""The persons generator's two entry points, each running the steps in order: the
population, who is in which event, the record ids and true values, the data-entry errors, the
extracts, the truth.

``generate_person_extracts`` draws the persons behind the demo force's own crimes and arrests
(``peel demo-data``); ``generate_person_population`` writes exactly as many records as asked
for, from stand-in events, for the linkage benchmark (``peel demo-persons``). The same seed and
inputs give byte-identical files.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
from rich.progress import Progress

from peel.demo.persons.errors import apply_errors, read_nicknames
from peel.demo.persons.events import standardise_events, synthesise_events
from peel.demo.persons.extracts import write_extracts
from peel.demo.persons.involvements import (
    assign_record_ids,
    attach_true_values,
    draw_involvements,
)
from peel.demo.persons.parameters import SHAPE
from peel.demo.persons.population import build_population, pick_towns
from peel.demo.persons.systems import SOURCES
from peel.demo.persons.truth import write_truth


def generate_person_extracts(
    crimes: pd.DataFrame,
    arrests: pd.DataFrame,
    areas: pd.DataFrame,
    out_dir: Path,
    seed: int,
    n_persons: int | None = None,
    max_records: int | None = None,
    progress: Progress | None = None,
) -> dict:
    """Create the persons behind the demo force's crimes and arrests, and write them out.

    Writes four source-system extracts to ``out_dir/extracts/`` and the ground truth to
    ``out_dir/truth/`` (see docs/demo-persons.md). ``crimes`` needs ``crime_key``,
    ``source_record_id``, ``recorded_date``, ``crime_type``, ``district_code`` and
    ``lsoa_code``; ``arrests`` needs ``source_record_id``, ``arrest_date`` and ``crime_key``,
    and may have ``district_code``. ``areas`` gives the towns (districts).
    ``progress`` is an optional ``rich.progress.Progress`` to report the steps on.
    Returns counts and paths. The same seed and inputs give byte-identical files.
    """
    out_dir = Path(out_dir)
    if crimes.empty:
        raise ValueError("No crimes given: the demo persons are drawn for the force's crimes.")
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    c, a = standardise_events(crimes, arrests)
    dates = pd.concat([c["date"], a["date"]])
    start, end = dates.min().date(), dates.max().date()
    towns = pick_towns(areas)
    expected = len(c) * SHAPE["records_per_crime"] + len(a)
    n_persons = n_persons or max(50, int(expected / SHAPE["records_per_person"]))

    progress = progress or Progress(disable=True)  # no caller's bar: report nowhere
    task = progress.add_task("Demo persons", total=5)
    persons, addresses, vehicles = build_population(n_persons, rng, towns, start, end)
    progress.advance(task)
    rec = draw_involvements(c, a, persons, vehicles, rng, start, end)
    if max_records is not None and len(rec) > max_records:
        rec = rec.iloc[np.sort(rng.choice(len(rec), max_records, replace=False))]
    rec = assign_record_ids(rec)
    progress.advance(task)
    rec = attach_true_values(rec, persons, addresses)
    rec["true_vrm"] = rec["vrm"]
    rec = apply_errors(rec, rng, r, read_nicknames())
    progress.advance(task)
    paths = write_extracts(rec, out_dir / "extracts", rng)
    progress.advance(task)
    truth = write_truth(rec, persons, addresses, vehicles, out_dir / "truth")
    progress.advance(task)

    counts = rec["source_system"].value_counts().reindex(SOURCES).fillna(0).astype(int).to_dict()
    return {
        "persons": int(n_persons),
        "persons_with_records": int(rec["true_person_id"].nunique()),
        "records": len(rec),
        "records_by_source": counts,
        "extracts": {k: str(v) for k, v in paths.items()},
        "truth": {k: str(v) for k, v in truth.items()},
        "seed": seed,
    }


def generate_person_population(
    n_records: int, seed: int, out_dir: Path, progress: Progress | None = None
) -> dict:
    """Write exactly ``n_records`` person records (same formats and truth) at any scale.

    For the linkage benchmark: synthetic events stand in for the demo force's, sized so that
    the four extracts together hold ``n_records`` records. ``progress`` as for
    ``generate_person_extracts``.
    """
    per_crime = SHAPE["records_per_crime"] + SHAPE["synthetic_arrests_per_crime"]
    n_crimes = int(n_records / per_crime * 1.1) + 20  # 10% spare: trimmed to n_records
    while True:
        crimes, arrests, areas = synthesise_events(n_crimes, seed)
        summary = generate_person_extracts(
            crimes, arrests, areas, out_dir, seed, max_records=n_records, progress=progress
        )
        if summary["records"] == n_records:
            return summary
        n_crimes = int(n_crimes * 1.3) + 20  # too few records drawn: draw from more events
