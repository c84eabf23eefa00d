"""Web app fixtures: a casebook with one local account per role (built once, copied for each
test), the app over it, and a client that signs in as a browser does."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from peel.casebook import db, users
from peel.casebook.roles import load_roles
from peel.settings import Settings, get_settings
from peel.web.app import create_app
from peel.web.visitor import SESSION_COOKIE

PASSWORD = "correct horse battery staple"
FORCE_NAME = "Chalkshire Constabulary"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def get_username(role: str) -> str:
    """The test account for ``role``: its name with dots, e.g. 'pcc.scrutiny.officer'."""
    return role.replace("_", ".")


@pytest.fixture(scope="session")
def staff_casebook(tmp_path_factory) -> Path:
    """A SQLite casebook holding one local account per role; hashing passwords is slow, so
    it is built once and each test gets a copy."""
    path = tmp_path_factory.mktemp("web-staff") / "casebook.sqlite"
    url = f"sqlite:///{path}"
    with db.transaction(url) as session:
        users.add_user(session, get_username("administrator"), "administrator", acting=None, password=PASSWORD)
        for role in load_roles():
            if role != "administrator":
                users.add_user(session, get_username(role), role, acting="administrator", password=PASSWORD)
    db.dispose_engines()  # closes the file, folding its write-ahead log back in
    return path


@pytest.fixture
def web_settings(staff_casebook, peel_home) -> Settings:
    """Settings for one installation in the test's PEEL_HOME, its casebook a copy of the staff one."""
    peel_home.mkdir(parents=True, exist_ok=True)
    copy = peel_home / "casebook.sqlite"
    shutil.copyfile(staff_casebook, copy)
    shutil.copyfile(staff_casebook.with_name("audit-key"), peel_home / "audit-key")  # its log's key
    yield replace(get_settings(), casebook_url=f"sqlite:///{copy}", secret_key=None)
    db.dispose_engines()


@pytest.fixture
def client(web_settings) -> TestClient:
    """A browser on https (the session cookie is Secure), not following redirects by itself."""
    app = create_app(web_settings, force_name=FORCE_NAME)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as browser:
        yield browser


def get_form_token(client: TestClient, path: str = "/sign-in") -> str:
    return FORM_TOKEN.search(client.get(path).text)[1]


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next: str = "/"):
    """Open the sign-in page and submit it, as a person would; returns the response."""
    token = get_form_token(client)
    return client.post("/sign-in", data={"csrf_token": token, "username": username, "password": password,
                                         "next": next})


def get_session_cookie(client: TestClient) -> str | None:
    return client.cookies.get(SESSION_COOKIE)


# Real-browser tests: Debian's chromium (apt package `chromium`), driven by Playwright with
# `executable_path`; Playwright's own browser downloads are never used.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(staff_casebook, tmp_path_factory) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, in a thread; its address."""
    home = tmp_path_factory.mktemp("web-live")
    shutil.copyfile(staff_casebook, home / "casebook.sqlite")
    shutil.copyfile(staff_casebook.with_name("audit-key"), home / "audit-key")  # its log's key
    settings = replace(get_settings(), home=home, casebook_url=f"sqlite:///{home / 'casebook.sqlite'}",
                       secret_key=None, identity_providers_file=home / "identity-providers.yaml")
    with serve_on_loopback(create_app(settings, force_name=FORCE_NAME)) as address:
        yield address


@contextmanager
def serve_on_loopback(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port, in a thread; yields its address."""
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))  # bound here, so the port is ours before the server starts
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Tab:
    """A browser tab on the live server, noting what went wrong on the way: console errors
    (a Content-Security-Policy violation is one) and responses that failed."""

    page: object
    problems: list[str]

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto("/sign-in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()


def open_tab_on(browser, base_url: str, contexts: list, javascript: bool = True,
                init_script: Path | None = None) -> Tab:
    """A new tab on ``base_url`` in a fresh browser context (added to ``contexts`` to close)."""
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
    contexts.append(context)
    if init_script is not None:
        context.add_init_script(path=str(init_script))
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    # A request the browser dropped because the page moved on (the icon, mid sign-in) is
    # no fault; a missing file is, and shows as a response of 400 or more.
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}")
            if request.failure != "net::ERR_ABORTED" else None)
    page.on("response", lambda response: problems.append(f"{response.status}: {response.url}")
            if response.status >= 400 else None)
    return Tab(page, problems)


@pytest.fixture
def open_tab(browser, live_server):
    """``open_tab(javascript=True, init_script=None)``: a new tab in a fresh browser context."""
    contexts = []
    yield lambda javascript=True, init_script=None: open_tab_on(browser, live_server, contexts, javascript,
                                                                init_script)
    for context in contexts:
        context.close()
