"""The fictional demo force (Chalkshire Constabulary): areas, crimes, outcomes and arrests
generated with known planted effects, loaded into the warehouse, ground truth kept apart.

``generate_demo_force`` is the one entry point; ``generate_small_demo_force`` is the test-sized
run other tests use as a fixture.

The generator's modules (numpy, pandas, holidays, Faker) are imported when a run starts, not
with this package, which every ``peel`` command imports (``peel.demo.cli`` is in it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import Progress

from peel.settings import get_settings

if TYPE_CHECKING:
    import duckdb
    import numpy as np

    from peel.demo.crimes import CrimeData
    from peel.demo.force import Force

__all__ = [
    "SMALL_DEMO",
    "DemoSummary",
    "generate_demo_force",
    "generate_small_demo_force",
    "read_effects",
]

# The test-sized run: a tenth of the volume over two years, whose second Diwali and the step
# change fall inside it.
SMALL_DEMO = {"size": 0.1, "start": "2024-04", "end": "2026-03", "as_of": "2026-03-11"}


@dataclass
class DemoSummary:
    """What a demo run produced: rows per warehouse table, where the ground truth is, the truth."""

    counts: dict[str, int]
    truth_path: Path
    effects: dict
    persons: dict = field(default_factory=dict)


def read_effects() -> dict:
    """Return the planted effects' parameters (``peel/demo/data/effects.yaml``)."""
    from peel.demo.datafiles import read_data_yaml

    return read_data_yaml("effects.yaml")


# One independent random stream per component, so that changing one (the volume, a new draw)
# never shifts the others: the areas stay the same whatever the size. Append, never reorder.
RANDOM_STREAMS = ["force", "crimes", "outcomes", "arrests", "courts"]


def make_random_streams(seed: int) -> dict[str, np.random.Generator]:
    """Return the demo force's random generators, one per component, all from ``seed``."""
    import numpy as np

    children = np.random.SeedSequence(seed).spawn(len(RANDOM_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(RANDOM_STREAMS, children)}


def generate_demo_force(
    con: duckdb.DuckDBPyConnection,
    size: float = 1.0,
    start: str = "2022-01",
    end: str = "2026-03",
    seed: int = 42,
    as_of: str = "2026-03-11",
    progress: Progress | None = None,
    persons: bool = True,
    out_dir: Path | None = None,
) -> DemoSummary:
    """Generate the demo force for months ``start``..``end`` as known on ``as_of`` and load it.

    Deterministic for a given seed. Replaces any previous demo data. ``progress`` is an optional
    ``rich.progress.Progress`` to report the steps on. ``persons=False`` leaves out the persons
    generator (``peel.demo.persons``), which otherwise runs after the crimes. The files (ground
    truth, person extracts) are written to ``out_dir``, by default ``PEEL_HOME/demo``, where
    they are named: ``peel demo-data`` writes them apart and moves them there (``pending``).
    """
    from peel.demo.calendar import get_last_day_of_month
    from peel.demo.crimes import generate_crime_data
    from peel.demo.domains import GENERATORS, DemoContext, run_domain_generators
    from peel.demo.force import generate_force
    from peel.demo.load import load_crime_records, load_custody
    from peel.demo.truth import describe_truth
    from peel.measures.periods import parse_day, parse_month

    first_day = parse_month(start, "--start")
    last_day = get_last_day_of_month(parse_month(end, "--end"))
    as_of_day = parse_day(as_of, "--as-of")
    if size <= 0:
        raise ValueError(
            f"--size: expected a positive scale (1 is a county force, 0.1 a tenth), got {size}."
        )
    if last_day < first_day:
        raise ValueError(
            f"--end ({end}) is before --start ({start}): give an end month on or after the start."
        )
    if as_of_day < first_day:
        raise ValueError(
            f"--as-of ({as_of}) is before --start ({start}): nothing would have been recorded yet."
        )
    # Crimes after the extraction date do not exist yet.
    last_day = min(last_day, as_of_day)

    progress = progress or Progress(disable=True)  # no caller's bar: report nowhere
    steps = 4 + (1 if persons else 0) + len(GENERATORS)
    task = progress.add_task("Generating areas", total=steps)

    def advance(description: str) -> None:
        progress.update(task, advance=1, description=description)

    effects = read_effects()
    rngs = make_random_streams(seed)

    force = generate_force(rngs["force"], effects["diwali_burglary"]["min_hindu_share"])
    advance("Generating crimes, outcomes, arrests")
    data = generate_crime_data(force, first_day, last_day, as_of_day, size, effects, rngs)
    truth = describe_truth(
        force,
        data,
        effects,
        seed=seed,
        size=size,
        first_day=first_day,
        last_day=last_day,
        as_of=as_of_day,
    )
    advance("Loading crime records")
    counts = load_crime_records(con, force.areas, data)
    advance("Loading custody records")
    counts |= load_custody(con, data)

    # The truth goes with the crimes it describes: written as soon as they are loaded, before
    # the persons generator (another module) runs.
    demo_dir = get_settings().demo_dir
    out_dir = out_dir or demo_dir
    truth_path = Path("truth") / "effects.json"
    (out_dir / truth_path).parent.mkdir(parents=True, exist_ok=True)
    (out_dir / truth_path).write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")

    person_counts: dict = {}
    if persons:
        advance("Generating persons")
        person_counts = _run_persons_generator(con, data, force, out_dir, demo_dir, seed, progress)
    context = DemoContext(con=con, force=force, data=data, first_day=first_day, last_day=last_day,
                          as_of=as_of_day, size=size, seed=seed, out_dir=out_dir, persons=persons)
    counts |= run_domain_generators(context, advance)
    advance("Demo force ready")
    return DemoSummary(
        counts=counts, truth_path=demo_dir / truth_path, effects=truth, persons=person_counts
    )


def _run_persons_generator(
    con, data: CrimeData, force: Force, out_dir: Path, demo_dir: Path, seed: int, progress: Progress
) -> dict:
    from peel.demo.persons import generate_person_extracts, load_person_extracts

    out_dir.mkdir(parents=True, exist_ok=True)
    generated = generate_person_extracts(
        data.crimes, data.arrests, force.areas, out_dir, seed, progress=progress
    )
    loaded = load_person_extracts(con, out_dir, progress=progress, named_as=demo_dir)
    return {"generated": generated, "loaded": loaded}


def generate_small_demo_force(con: duckdb.DuckDBPyConnection, seed: int = 42) -> DemoSummary:
    """Generate the test-sized demo force (``SMALL_DEMO``): a few seconds, for fixtures."""
    return generate_demo_force(con, seed=seed, **SMALL_DEMO)
