"""The small demo force with its workforce, generated once for the workforce tests, and its
pack section for March 2026 (as at 11 March, the demo's last day)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import DemoRun

from peel.demo import SMALL_DEMO, generate_demo_force
from peel.warehouse import connect
from peel.workforce.section import WorkforceSection, get_workforce_section

MONTH, AS_OF = date(2026, 3, 1), date(2026, 3, 11)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> DemoRun:
    home = tmp_path_factory.mktemp("workforce-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        summary = generate_demo_force(con, persons=False, **SMALL_DEMO)
        yield DemoRun(home=home, con=con, summary=summary)
    con.close()


@pytest.fixture(scope="session")
def section(small_demo) -> WorkforceSection:
    return get_workforce_section(small_demo.con, MONTH)
