"""The Leadership and wellbeing page in a real browser (Debian's chromium) over the small demo
force: axe-core finds no WCAG 2.2 AA violation, and the Content-Security-Policy holds."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.crime.demo_site import copy_demo_site
from tests.web.conftest import FORCE_NAME, open_tab_on, serve_on_loopback, staff_casebook  # noqa: F401
from tests.web.test_accessibility import AXE, get_violations

from peel.settings import get_settings
from peel.web.app import create_app


@pytest.fixture(scope="module")
def demo_server(small_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    home = copy_demo_site(small_demo, staff_casebook, tmp_path_factory.mktemp("workforce-browser"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        with serve_on_loopback(create_app(replace(get_settings(), secret_key=None), force_name=FORCE_NAME)) as address:
            yield address


def test_show_workforce_has_no_wcag_violation_and_keeps_the_policy(browser, demo_server):
    contexts: list = []
    tab = open_tab_on(browser, demo_server, contexts, init_script=AXE)
    try:
        tab.sign_in("pcc.scrutiny.officer")
        tab.page.get_by_role("link", name="Leadership and wellbeing").click()
        assert tab.page.get_by_role("heading", level=1).inner_text() == "Leadership and wellbeing"
        assert "100% of sergeants booked" in tab.page.content()
        assert get_violations(tab) == []
        assert tab.problems == []
    finally:
        for context in contexts:
            context.close()
