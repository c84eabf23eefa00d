"""The small demo force with its workforce, generated once for the workforce tests."""

from __future__ import annotations

import pytest
from tests.conftest import DemoRun

from peel.demo import SMALL_DEMO, generate_demo_force
from peel.warehouse import connect


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> DemoRun:
    home = tmp_path_factory.mktemp("workforce-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        summary = generate_demo_force(con, persons=False, **SMALL_DEMO)
        yield DemoRun(home=home, con=con, summary=summary)
    con.close()
