"""Event risk assessments in the browser and as JSON: drafted with the risk level the analyst
sets, read with every statement's citations, signed off only at the declared command level."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401
    client,
    get_form_token,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from .conftest import PURPOSE

EVENT = {"name": "Chalk Town v Brackenholt Rovers", "venue": "Chalk Park", "date": "2026-04-11",
         "attendance": "12000", "participants": "Chalk Town\nBrackenholt Rovers", "cite": "", "purpose": PURPOSE}


def _draft(client, risk: str) -> str:  # noqa: F811
    sign_in(client, get_username("intelligence_analyst"))
    token = get_form_token(client, "/intel/events")
    made = client.post("/intel/events", data={"csrf_token": token, "risk": risk} | EVENT)
    assert made.status_code == 303, made.text
    return made.headers["location"]


def test_create_event_drafts_an_assessment_shown_with_its_citations(client, warehouse):  # noqa: F811
    page = client.get(_draft(client, "high"))
    assert page.status_code == 200
    assert "Chalk Park" in page.text and "demo_events" in page.text and "Silver or Gold command" in page.text
    listing = client.get("/intel/events").text
    assert "Event risk assessment (high risk, 2026-04-11)" in listing


def test_create_event_refuses_a_match_that_never_took_place(client, warehouse):  # noqa: F811
    sign_in(client, get_username("intelligence_analyst"))
    token = get_form_token(client, "/intel/events")
    made = client.post("/intel/events", data={"csrf_token": token, "risk": "low"} | EVENT
                       | {"cite": "Chalk Town v Brackenholt Rovers, 2025-05-14"})
    assert made.status_code == 400 and "holds no past event" in made.text


def test_decide_event_refuses_a_supervisor_on_a_high_risk_event_and_takes_the_commander(client, warehouse):  # noqa: F811
    item = _draft(client, "high").split("?")[0].rsplit("/", 1)[1]
    client.post("/sign-out", data={"csrf_token": get_form_token(client, "/")})
    sign_in(client, get_username("supervisor"))
    token = get_form_token(client, "/")
    refused = client.post(f"/intel/events/{item}/decision",
                          data={"csrf_token": token, "decision": "approve", "reason": "fine by me"})
    assert refused.status_code == 403 and "Silver or Gold command" in refused.text
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, get_username("event_commander"))
    token = get_form_token(client, "/")
    signed = client.post(f"/api/intel/events/{item}/decision", json={"approve": True, "reason": "history read"},
                         headers={"X-CSRF-Token": token})
    assert signed.status_code == 200, signed.text
    [listed] = [i for i in client.get("/api/intel/events").json() if str(i["item_id"]) == item]
    assert (listed["status"], listed["decided_by"]) == ("accepted", get_username("event_commander"))


def test_api_create_event_returns_the_cited_statements_and_takes_a_raised_risk(client, warehouse):  # noqa: F811
    sign_in(client, get_username("intelligence_analyst"))
    token = get_form_token(client, "/intel/events")
    body = {"venue": "Chalk Park", "date": "2026-04-11", "attendance": 12000, "risk": "medium", "purpose": PURPOSE,
            "participants": ["Chalk Town"]}
    made = client.post("/api/intel/events", json=body, headers={"X-CSRF-Token": token})
    assert made.status_code == 200, made.text
    statements = made.json()["assessment"]["statements"]
    assert statements and all(s["citations"] for s in statements)
    item = made.json()["item_id"]
    assert client.get(f"/api/intel/events/{item}", params={"purpose": PURPOSE}).json()["assessment"]["risk"] == "medium"
    raised = client.post(f"/api/intel/events/{item}/risk", json={"risk": "high", "reason": "new travel intelligence"},
                         headers={"X-CSRF-Token": token})
    assert raised.status_code == 200, raised.text
    read = client.get(f"/api/intel/events/{item}", params={"purpose": PURPOSE}).json()["assessment"]
    assert (read["risk"], read["sign_off"]) == ("high", "Silver or Gold command")
