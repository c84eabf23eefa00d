"""Schemathesis, run against the app's OpenAPI document (/api/openapi.json): requests generated
from every operation's parameters, valid and not, get no server error (5xx), signed in as a
user with broad grants (a supervisor) and as an auditor, who alone reads the audit log."""

from __future__ import annotations

from dataclasses import replace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient

from peel.settings import get_settings
from peel.web.app import create_app
from peel.web.visitor import SESSION_COOKIE

from .conftest import get_form_token, get_session_cookie, sign_in
from .test_meeting import demo_warehouse  # noqa: F401 - a fixture: the demo force in the app's home

SUPERVISOR, AUDITOR = "supervisor", "auditor"
# Bounded, so the whole document runs in about two minutes on the demo force; not stored between
# runs, so each run is the same size and writes nothing into the worktree. The signed-in
# session is meant to last across one operation's examples (each operation gets its own).
# derandomize: the same requests on every run, so CI cannot turn red by the luck of a draw;
# widen the search by hand (derandomize=False, more examples) when hunting for new failures.
EXAMPLES = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture])
# The document alone: the operations are called on the test's own app, through its session.
# Building an app reads no file (the secret key is given), so this is safe at import.
SCHEMA = schemathesis.openapi.from_asgi(
    "/api/openapi.json", create_app(replace(get_settings(), secret_key="the document only")))


def get_signed_in_session(client, username: str) -> ASGIClient:
    """A schemathesis client on ``client``'s app carrying ``username``'s session cookie and form
    token, so every POST passes the form token check and reaches its route."""
    assert sign_in(client, username).status_code == 303
    session = ASGIClient(client.app)  # the app's lifespan is already running, in ``client``
    # Sent as headers: the cookie is Secure, and schemathesis calls the app over http.
    session.headers.update({"Cookie": f"{SESSION_COOKIE}={get_session_cookie(client)}",
                            "X-CSRF-Token": get_form_token(client, "/")})
    return session


@pytest.fixture
def supervisor_session(client, demo_warehouse):  # noqa: F811 - the imported fixture
    return get_signed_in_session(client, SUPERVISOR)


@pytest.fixture
def auditor_session(client, demo_warehouse):  # noqa: F811 - the imported fixture
    return get_signed_in_session(client, AUDITOR)


@SCHEMA.parametrize()
@EXAMPLES
def test_api_schema_every_operation_gives_a_supervisor_no_server_error(case, supervisor_session):
    case.call_and_validate(session=supervisor_session, checks=[not_a_server_error])


@SCHEMA.include(path_regex="audit").parametrize()
@EXAMPLES
def test_api_schema_audit_operations_give_an_auditor_no_server_error(case, auditor_session):
    case.call_and_validate(session=auditor_session, checks=[not_a_server_error])
