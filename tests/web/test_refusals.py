"""A page a role may not open is refused and the refused attempt is in the audit log, with
the page asked for: the web app checks through the casebook, which logs every refusal.

The routes are read from the app itself (its OpenAPI document lists every page and API
route, forms and their fields included), so a new route is tested the day it is added: each
answer 403 to any role must have written a refusal, and every route but the few open to
anyone must refuse the administrator (who manages accounts and sees nothing else)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from peel.casebook import db, propose, transaction
from peel.casebook.models import AuditEntry
from peel.casebook.roles import load_roles
from peel.web.security import FORM_TOKEN_HEADER

from .conftest import get_form_token, get_username, sign_in

# Open to anyone (signing in and out, the start page, the public pages): not requested here,
# since signing in or out would end the session; their own tests cover them.
OPEN = {"/sign-in", "/sign-out", "/sign-in/{name}", "/sign-in/{name}/callback", "/", "/public", "/public/{slug}",
        "/public/{slug}/table-{number}.{format}", "/api/public", "/api/public/{slug}"}
# Values a valid request would carry, by field or parameter name, so that a route reaches its
# access check instead of stopping at a missing or malformed field.
SAMPLES = {"slug": "retention-review", "item_id": 1, "action_id": 1, "month": "2026-03",
           "purpose": "checking the record before the deployment briefing", "accept": True,
           "reason": "the evidence on the record supports it", "decision": "accept", "meeting": "2026-02",
           "item": "Burglary", "text": "Report on the patrols", "owner": "Head of Crime", "due": "2026-04-30",
           "status": "done", "evidence": "Reported at the May meeting", "record_a": "a-1", "record_b": "b-1",
           "ref": "LFR-2026-C1", "case_id": 1, "on": "2026-03-02",
           "subject": "entity:1", "staff_number": "100001", "collection": "plans", "changes": "",
           "algorithm": "record-linkage", "outcome": "noted", "approve": True, "name": "County derby",
           "venue": "Chalk Park", "date": "2026-04-11", "attendance": 30000, "risk": "low", "cite": "",
           "participants": "", "weeks": 8}
LINKAGE_DECISION = "match"  # linkage's forms decide "match" or "non_match", the review queue's "accept"



def get_refusals(web_settings) -> list[AuditEntry]:
    with transaction(web_settings.casebook_url, readonly=True) as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.operation == "refusal")).scalars()
        return [(e.actor, e.object_id, e.detail) for e in entries]


def test_require_grant_refuses_a_placeholder_page_and_logs_the_page(client, web_settings):
    sign_in(client, get_username("pcc_scrutiny_officer"))
    assert client.get("/planned/retention-review").status_code == 403
    refusals = get_refusals(web_settings)
    assert [(actor, page) for actor, page, _ in refusals] == [(get_username("pcc_scrutiny_officer"), "/planned/retention-review")]
    assert "review_retention" in refusals[0][2]


def test_require_grant_refuses_crime_figures_to_the_administrator_and_logs_it(client, web_settings):
    sign_in(client, get_username("administrator"))
    assert client.get("/crime").status_code == 403
    assert client.get("/api/crime/overview").status_code == 403
    pages = [page for actor, page, _ in get_refusals(web_settings)]
    assert pages == ["/crime", "/api/crime/overview"]


def test_require_grant_logs_nothing_for_a_page_the_role_may_open(client, web_settings):
    sign_in(client, get_username("information_manager"))
    assert client.get("/planned/retention-review").status_code == 200
    assert get_refusals(web_settings) == []


def count_refusals(url: str) -> int:
    with transaction(url, readonly=True) as session:
        return session.execute(select(func.count()).where(AuditEntry.operation == "refusal")).scalar_one()


def get_operations(document: dict) -> list[tuple[str, str, dict]]:
    """(method, path template, operation) for every route the app serves but the open ones."""
    return [(method, path, operation) for path, operations in document["paths"].items()
            if path not in OPEN and not path.startswith("/public/")  # what the force publishes is open
            for method, operation in operations.items()]


def sample(name: str, schema: dict, path: str):
    if name == "decision" and "linkage" in path:
        return LINKAGE_DECISION
    if name == "decision" and "dvds" in path:
        return "open"  # Clare's Law candidates: open a Right to Know case, or decline
    if name == "key":  # an LFR form: one of a plan's, or of a deployment's
        return "authorise" if "/plans/" in path else "results"
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "array":  # the JSON API's list of what a form takes as one line
        return [SAMPLES[name]] if SAMPLES[name] else []
    return SAMPLES[name]


def spoil(request: dict) -> dict:
    """``request`` with a form whose every field is nonsense, or a body that is not JSON at all."""
    if "data" in request:
        return {**request, "data": dict.fromkeys(request["data"], "?")}
    if "json" in request:
        return {key: value for key, value in request.items() if key != "json"} | \
            {"content": b"?", "headers": {"content-type": "application/json"}}
    return request


def build_request(document: dict, path: str, operation: dict) -> dict:
    """The address, query and body of a valid request to ``operation``."""
    address, params = path, {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            address = address.replace("{" + name + "}", str(sample(name, parameter["schema"], path)))
        elif parameter["required"] or name == "purpose":  # purpose: a page asks it before showing anything
            params[name] = sample(name, parameter["schema"], path)
    request = {"url": address, "params": params}
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        schema = document["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[1]]
        body = {name: sample(name, field, path) for name, field in schema["properties"].items()}
        request["json" if media_type == "application/json" else "data"] = body
    return request


@pytest.fixture
def filed(web_settings):
    """A review item and a meeting action numbered 1, so requests reach them."""
    with db.transaction(web_settings.casebook_url) as session:
        propose(session, domain="lfr", kind="lfr_alert", summary="Alert at camera 3", payload={"camera": 3},
                by_algorithm="lfr-matcher", subject_ref="W-17")


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_every_route_refused_to_a_role_writes_a_refusal(client, web_settings, filed, role):
    sign_in(client, get_username(role))
    token = get_form_token(client, "/")
    document = client.get("/api/openapi.json").json()
    refused, unlogged, read_first = [], [], []
    for method, path, operation in get_operations(document):
        before = count_refusals(web_settings.casebook_url)
        request = build_request(document, path, operation)
        answer = client.request(method.upper(), headers={FORM_TOKEN_HEADER: token}, **request)
        # No data is loaded in this installation: a route that reads it may say so (503), never fail.
        assert answer.status_code < 500 or (answer.status_code == 503 and "No data is loaded yet" in answer.text), \
            (method, path, answer.text)
        if answer.status_code == 403:
            refused.append(f"{method} {path}")
            if count_refusals(web_settings.casebook_url) == before:
                unlogged.append(f"{method} {path}")
            # Refused whatever was sent: a spoilt form says nothing of what the form expects.
            spoilt = spoil(request)
            headers = {FORM_TOKEN_HEADER: token, **spoilt.pop("headers", {})}
            if client.request(method.upper(), headers=headers, **spoilt).status_code != 403:
                read_first.append(f"{method} {path}")
    assert unlogged == []
    assert read_first == []
    if role == "administrator":
        assert refused == [f"{method} {path}" for method, path, _ in get_operations(document)]


NOT_JSON = {"content": b"{", "headers": {"content-type": "application/json"}}


@pytest.mark.parametrize(("role", "path", "body"), [
    # pcc_scrutiny_officer reads every domain's figures and changes none of these.
    ("pcc_scrutiny_officer", "/dvds/candidates/1/decision", {"data": {"decision": "not-a-decision", "reason": ""}}),
    ("pcc_scrutiny_officer", "/api/oversight/decisions", {"json": {}}),  # JSON missing every field
    # Each role below has other grants in the route's domain, but not the one its form needs
    # (review item 1 is an LFR alert).
    ("event_commander", "/intel/events/1/decision", {"data": {"decision": "maybe"}}),
    ("event_commander", "/api/intel/events/1/decision", {"json": {"approve": "maybe"}}),
    ("event_commander", "/api/intel/events/1/risk", {"json": {}}),
    ("event_commander", "/intel/events", {"data": {"attendance": "many"}}),  # signs off, drafts none
    ("event_commander", "/api/intel/packs", NOT_JSON),
    ("control_room_manager", "/control-room/proposals/1/decision", {"data": {"changes": "not an hour"}}),
    ("control_room_manager", "/review/1/decision", {"data": {"decision": "maybe"}}),  # decides control room items only
    ("control_room_manager", "/api/review/1/decision", {"json": {"accept": "maybe"}}),
    ("public_protection_officer", "/dvds/candidates/1/decision", {"data": {"decision": "maybe"}}),
    ("performance_analyst", "/actions", {"data": {"meeting": "not a month", "due": "someday"}}),  # updates, records none
    ("supervisor", "/actions", {"data": {}}),
    ("lfr_operator", "/api/lfr/plans/1/authorise", NOT_JSON),  # runs deployments, authorises none
    ("lfr_operator", "/lfr/plans/1/authorise", {"data": {"reason": ""}}),
    ("licensing_officer", "/firearms/safeguarding/1/decision", {"data": {"outcome": "maybe"}}),  # firearms alerts only
    ("ingest_service", "/linkage/review/1/decision", {"data": {"decision": "maybe"}}),  # links, decides no pair
    ("ingest_service", "/api/linkage/decisions", NOT_JSON),
])
def test_input_route_refuses_a_role_before_reading_its_invalid_input(client, web_settings, filed, role, path, body):
    sign_in(client, get_username(role))
    headers = {FORM_TOKEN_HEADER: get_form_token(client, "/"), **body.get("headers", {})}
    answer = client.post(path, headers=headers, **{key: value for key, value in body.items() if key != "headers"})
    assert answer.status_code == 403
    assert [(actor, page) for actor, page, _ in get_refusals(web_settings)] == [(get_username(role), path)]


def test_input_route_takes_a_number_in_other_digits_for_no_review_item(client, web_settings):
    sign_in(client, get_username("supervisor"))  # decides review items: the item's domain is looked up
    answer = client.post("/review/\u00b2/decision", headers={FORM_TOKEN_HEADER: get_form_token(client, "/")},
                         data={"decision": "accept", "reason": SAMPLES["reason"]})
    assert answer.status_code == 422  # not a number to the route either; not a server error
