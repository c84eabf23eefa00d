"""The small demo force with its LFR records, generated once for the LFR tests, and its truth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import pytest
from tests.conftest import SMALL_RUN, DemoRun, built_demo


@dataclass
class LfrDemo(DemoRun):
    truth: dict = field(default_factory=dict)  # truth/lfr.json


@pytest.fixture(scope="session")
def lfr_demo(tmp_path_factory) -> LfrDemo:
    demo = built_demo(tmp_path_factory, "small-demo", SMALL_RUN)  # the run's one build, copied
    truth = json.loads((demo.summary.truth_path.parent / "lfr.json").read_text(encoding="utf-8"))
    yield LfrDemo(demo.home, demo.con, demo.summary, truth)
    demo.con.close()


STAFF = {"planner": "lfr_operator", "second.operator": "lfr_operator", "supervisor": "supervisor",
         "scrutiny": "pcc_scrutiny_officer"}


@pytest.fixture
def staff(peel_home) -> dict[str, str]:
    """An empty casebook under this test's PEEL_HOME with the LFR staff: username -> role."""
    from peel.casebook import db, users

    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        for name, role in STAFF.items():
            users.add_user(session, name, role, acting="admin", identity_provider="https://sso.test",
                           external_subject=name)
    yield STAFF
    db.dispose_engines()


@pytest.fixture
def site(demo_site, monkeypatch):
    """A web client on https over the module's ``demo_site`` (a copy of the demo force with the
    staff casebook; each module that changes it has its own), not following redirects."""
    from fastapi.testclient import TestClient
    from tests.web.conftest import FORCE_NAME

    from peel.casebook import db
    from peel.settings import get_settings
    from peel.web.app import create_app

    monkeypatch.setenv("PEEL_HOME", str(demo_site))
    with TestClient(create_app(replace(get_settings(), secret_key=None), force_name=FORCE_NAME),
                    base_url="https://testserver", follow_redirects=False) as client:
        yield client
    db.dispose_engines()
