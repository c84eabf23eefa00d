"""Shared fixtures: every test gets its own PEEL_HOME, so its warehouse and casebook are real
files in a temporary folder."""

from __future__ import annotations

import os
import pickle
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from peel.casebook import db, login, sessions, users
from peel.casebook.models import User
from peel.demo import SMALL_DEMO, DemoSummary, generate_demo_force
from peel.warehouse import connect

# Run first: the suite's longest test (over a minute). With two workers, a long test dealt
# out late keeps one worker busy while the other has nothing left to do.
LONGEST_FIRST = ("tests/linkage/test_spark_backend.py",)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))  # stable: the rest keep their order


@pytest.fixture(autouse=True)
def fixed_terminal_width(monkeypatch):
    """Commands print through Rich, which wraps at the terminal's width: a test must not pass
    in a wide terminal and fail in CI (or with a long temporary path) because a line wrapped."""
    monkeypatch.setenv("COLUMNS", "400")


# The real files the tests read, with their source and licence beside them (SOURCE.md).
TEST_DATA = Path(__file__).resolve().parent / "data"
POLICE_UK_ZIP = TEST_DATA / "police_uk" / "hertfordshire-2021-01-to-2022-01.zip"


@pytest.fixture
def peel_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "peel-home"
    monkeypatch.setenv("PEEL_HOME", str(home))
    return home


@pytest.fixture
def log_in():
    """Sign a casebook user in on the command line as `peel login` does: a session in the
    casebook, its token in this OS user's session file under PEEL_HOME. Give the password of a
    local account (or a service account's key, with ``provider="service"``); a single-sign-on
    account (most test staff) is vouched for by its provider."""

    def sign_in(username: str, password: str | None = None, provider: str = "local") -> None:
        lifetime = sessions.COMMAND_LINE_SESSION_LIFETIME
        if password is not None:
            signed_in = sessions.sign_in(username, password, provider=provider, lifetime=lifetime)
        else:
            with db.transaction(readonly=True) as session:
                user = session.query(User).filter_by(username=username).one()
                provider, subject = user.identity_provider, user.external_subject
            signed_in = sessions.sign_in_with_provider(provider, subject, lifetime=lifetime)
        login.keep_session(signed_in)

    return sign_in


# A scripted job's account (the nightly ingest and linkage run), and the purpose it states.
SERVICE_JOB = "nightly.ingest"
JOB_PURPOSE = ["--purpose", "nightly load and linkage of the force's extracts"]


@pytest.fixture
def service_job(peel_home, log_in) -> str:
    """A service account that may collect and combine person records, signed in with its key
    (for `peel ingest mapped`, `peel link` and `peel link file`: pass JOB_PURPOSE)."""
    key = users.new_service_key()
    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        users.add_user(session, SERVICE_JOB, "ingest_service", acting="admin", password=key,
                       identity_provider=users.SERVICE_PROVIDER)
    log_in(SERVICE_JOB, key, provider=users.SERVICE_PROVIDER)
    return SERVICE_JOB


@pytest.fixture(scope="session")
def police_uk_zip() -> Path:
    """The 13 months of real Hertfordshire files as data.police.uk serves them: one zip."""
    return POLICE_UK_ZIP


@pytest.fixture(scope="session")
def police_uk_dir(tmp_path_factory) -> Path:
    """The same files unpacked into one flat folder, for tests that count their rows."""
    folder = tmp_path_factory.mktemp("police-uk")
    with zipfile.ZipFile(POLICE_UK_ZIP) as archive:
        for member in archive.namelist():
            if member.endswith(".csv"):
                (folder / Path(member).name).write_bytes(archive.read(member))
    return folder


@pytest.fixture(scope="session")
def linkage_data() -> Path:
    """Record-linkage test sets with ground truth: fake_1000 and FEBRL 1-4."""
    return TEST_DATA / "linkage"


# The default demo run (what `peel demo-data` loads), without the persons generator, which has
# its own tests: full volume, 2022-01..2026-03 as known on 2026-03-11. Generated once per session.
COUNTY_RUN = {
    "size": 1.0,
    "start": "2022-01",
    "end": "2026-03",
    "seed": 42,
    "as_of": "2026-03-11",
    "persons": False,
}


# The test-sized demo force (``SMALL_DEMO``) without the persons generator, for the domains'
# own figures (workforce, live facial recognition). Generated once per run.
SMALL_RUN = {**SMALL_DEMO, "persons": False}


@dataclass
class DemoRun:
    home: Path
    con: duckdb.DuckDBPyConnection
    summary: DemoSummary


def built_demo(tmp_path_factory, name: str, run: dict) -> DemoRun:
    """The demo force ``run`` describes (generate_demo_force's arguments), generated once for
    the whole run (``built_once``): this worker's own copy, open for writing."""

    def build(home: Path) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PEEL_HOME", str(home))
            con = connect()
            summary = generate_demo_force(con, **run)
            con.close()
        summary.truth_path = summary.truth_path.relative_to(home)  # each worker's copy is elsewhere
        (home / "summary.pickle").write_bytes(pickle.dumps(summary))

    home = built_once(tmp_path_factory, name, build)
    summary = pickle.loads((home / "summary.pickle").read_bytes())
    summary.truth_path = home / summary.truth_path
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
    return DemoRun(home=home, con=con, summary=summary)


@pytest.fixture(scope="session")
def county_demo(tmp_path_factory) -> DemoRun:
    demo = built_demo(tmp_path_factory, "county-demo", COUNTY_RUN)
    yield demo
    demo.con.close()


@pytest.fixture(scope="session")
def linked_small_demo(tmp_path_factory) -> Path:
    """PEEL_HOME of the test-sized demo force (``SMALL_DEMO``) with its persons linked, and no
    casebook: built once for every test that reads linked entities (firearms safeguarding,
    intelligence packs). Tests that change it work on a copy."""
    from peel.demo import generate_small_demo_force
    from peel.linkage.warehouse_run import link_warehouse

    def build(home: Path) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PEEL_HOME", str(home))
            con = connect()
            generate_small_demo_force(con)
            con.close()
            link_warehouse(warehouse=home / "warehouse.duckdb")

    return built_once(tmp_path_factory, "linked-demo", build)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder ``build`` fills once for the whole run, however many xdist workers run it: the
    first worker to ask builds it under a lock while the others wait, and each worker gets
    its own copy, since tests write into it (a casebook, new generations). Building a linked
    demo force costs a minute or more; copying it, a fraction of a second."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by its workers
    shared = root / f"{name}-shared"
    with FileLock(f"{shared}.lock"):
        if not (shared / ".built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            build(shared)
            (shared / ".built").touch()
    own = tmp_path_factory.mktemp(name)
    # Symbolic links stay links (the warehouse's name points at its generation, relatively), and
    # files keep their times (a generation's time is when it was published).
    shutil.copytree(shared, own, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".built"))
    return own


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole run: defined here, once, because
    Playwright's synchronous API allows one instance per process (a second, from a fixture
    imported into another module, fails)."""
    import os

    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        message = "No /usr/bin/chromium: `apt-get install chromium` (make setup-test does)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
