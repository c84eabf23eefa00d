"""The intelligence analysts' pages: a pack built from the browser is queued and shown as its
own OFFICIAL-SENSITIVE document; a role without need to know is refused."""

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


def test_build_from_the_browser_queues_a_draft_and_shows_it(client, subject):  # noqa: F811
    sign_in(client, get_username("intelligence_analyst"))
    assert "Build the pack" in client.get("/intel").text
    token = get_form_token(client, "/intel")
    made = client.post("/intel/packs", data={"csrf_token": token, "subject": subject, "purpose": PURPOSE})
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert page.status_code == 200 and "OFFICIAL-SENSITIVE" in page.text and "DRAFT" in page.text


def test_build_from_the_browser_refuses_a_role_without_need_to_know(client, subject):  # noqa: F811
    sign_in(client, get_username("police_officer"))
    token = get_form_token(client, "/")
    made = client.post("/intel/packs", data={"csrf_token": token, "subject": subject, "purpose": PURPOSE})
    assert made.status_code == 403


def test_api_builds_a_pack_as_json(client, subject):  # noqa: F811
    sign_in(client, get_username("intelligence_analyst"))
    token = get_form_token(client, "/intel")
    made = client.post("/api/intel/packs", json={"subject": subject, "purpose": PURPOSE},
                       headers={"X-CSRF-Token": token})
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["status"] == "pending" and body["pack"]["statements"]
