"""A small control room: the demo generator alone (no crimes), 14 months at a tenth of the
county's volume, generated once per test session."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from peel.demo import control_room
from peel.demo.domains import DemoContext
from peel.demo.force import generate_force
from peel.warehouse import connect

FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2026, 3, 10)


@dataclass
class ControlRoomRun:
    home: Path
    con: duckdb.DuckDBPyConnection
    counts: dict
    truth_dir: Path


@pytest.fixture(scope="session")
def control_room_demo(tmp_path_factory) -> ControlRoomRun:
    home = tmp_path_factory.mktemp("control-room")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        force = generate_force(np.random.default_rng(7), 0.15)
        ctx = DemoContext(con=con, force=force, data=None, first_day=FIRST_DAY, last_day=LAST_DAY,
                          as_of=date(2026, 3, 11), size=0.1, seed=42, out_dir=home / "demo", persons=False)
        counts = control_room.generate(ctx)
    yield ControlRoomRun(home=home, con=con, counts=counts, truth_dir=ctx.truth_dir)
    con.close()
