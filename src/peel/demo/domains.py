"""The demo force's other agenda items: one generator per domain (live facial recognition,
workforce, firearms licensing, Clare's Law, the control room, intelligence), run after the
crimes, arrests and persons they build on, in the order ``GENERATORS`` lists them.

A generator is a function ``(DemoContext) -> dict[str, int]``: it makes its domain's records
from the context (the force's areas, its crimes and arrests, the persons' ground truth), loads
them into the warehouse in one batch per source system, writes its own ground truth under
``ctx.truth_dir`` (never into the warehouse) and returns the rows it loaded per table.

Adding one: write ``peel/demo/<domain>.py`` with a ``generate(ctx)`` and add a line below.
Each draws from ``ctx.rng(<its name>)``, a random stream of its own, so adding a domain never
changes the records another one makes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from peel.demo import control_room, dvds, firearms, intel, lfr, workforce

if TYPE_CHECKING:
    import duckdb
    import numpy as np

    from peel.demo.crimes import CrimeData
    from peel.demo.force import Force


@dataclass(frozen=True)
class DemoContext:
    """What every domain generator builds on."""

    con: duckdb.DuckDBPyConnection  # the warehouse, inside the demo run's transaction
    force: Force  # the areas (force, districts, neighbourhoods)
    data: CrimeData  # crimes, outcomes and arrests, as loaded
    first_day: date
    last_day: date  # the last day with records (never after as_of)
    as_of: date  # the extraction date: nothing recorded or decided after it exists
    size: float  # the volume scale (1 is a county force)
    seed: int
    out_dir: Path  # where the demo's files go: truth/ and extracts
    persons: bool  # whether the persons generator ran (its truth is in truth_dir)
    # Persons (true_person_id) a generator has planted records about: the others leave them and
    # their households alone, so that each generator's truth stays whole (a Clare's Law
    # situation planted on a firearms holder would be a safeguarding case no truth lists).
    claimed: set[int] = field(default_factory=set)

    @property
    def truth_dir(self) -> Path:
        return self.out_dir / "truth"

    def rng(self, name: str) -> np.random.Generator:
        """A random stream for ``name`` alone, from the run's seed: the same seed and name give
        the same draws, whatever other generators exist."""
        import numpy as np

        return np.random.default_rng(np.random.SeedSequence([self.seed, zlib.crc32(name.encode())]))


Generator = Callable[[DemoContext], dict[str, int]]

# (what the progress bar says, the generator), in the order they run.
GENERATORS: list[tuple[str, Generator]] = [
    ("Generating live facial recognition deployments", lfr.generate),
    ("Generating Clare's Law applications", dvds.generate),
    ("Generating control-room calls and incidents", control_room.generate),
    ("Generating firearms licensing", firearms.generate),
    ("Generating the workforce", workforce.generate),
    ("Generating intelligence gradings and public events", intel.generate),
]


def run_domain_generators(ctx: DemoContext, advance: Callable[[str], None]) -> dict[str, int]:
    """Run every domain generator; return the rows each loaded, per table."""
    counts: dict[str, int] = {}
    for description, generate in GENERATORS:
        advance(description)
        counts |= generate(ctx)
    return counts
