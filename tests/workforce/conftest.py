"""The small demo force with its workforce, generated once for the workforce tests, and its
pack section for March 2026 (as at 11 March, the demo's last day)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import SMALL_RUN, DemoRun, built_demo

from peel.workforce.section import WorkforceSection, get_workforce_section

MONTH, AS_OF = date(2026, 3, 1), date(2026, 3, 11)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> DemoRun:
    demo = built_demo(tmp_path_factory, "small-demo", SMALL_RUN)  # the run's one build, copied
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(demo.home))
        yield demo
    demo.con.close()


@pytest.fixture(scope="session")
def section(small_demo) -> WorkforceSection:
    return get_workforce_section(small_demo.con, MONTH)
