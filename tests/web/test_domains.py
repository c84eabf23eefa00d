"""A domain adds its pages with one line in peel.web.domains: its router is served, its
start-page links shown to the roles it chooses, and its forms get the same protection."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from peel.casebook import Action, Actor
from peel.web import domains
from peel.web.app import create_app
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor

from .conftest import get_form_token, sign_in

router = APIRouter()


@router.get("/dummy")
def show_dummy(request: Request, actor: Actor = Depends(require_actor)):
    return render_page(request, "web/problem.html.j2", title="Dummy", message=f"Hello {actor.username}")


@router.post("/dummy")
def change_dummy(actor: Actor = Depends(require_actor)):
    return PlainTextResponse(f"changed by {actor.username}")


def links(actor: Actor) -> list[Link]:
    return [Link("Dummy domain", "/dummy", "Shown to auditors only.")] if actor.role.allows(Action.READ_AUDIT) else []


@pytest.fixture
def dummy_client(web_settings, monkeypatch) -> TestClient:
    # The one line a domain adds: its web module in the list.
    monkeypatch.setattr(domains, "DOMAINS", [*domains.DOMAINS, SimpleNamespace(router=router, links=links)])
    with TestClient(create_app(web_settings), base_url="https://testserver", follow_redirects=False) as client:
        yield client


def test_create_app_serves_a_listed_domain_and_shows_its_links(dummy_client):
    sign_in(dummy_client, "auditor")
    assert '<a class="govuk-link" href="/dummy">Dummy domain</a>' in dummy_client.get("/").text
    assert "Hello auditor" in dummy_client.get("/dummy").text


def test_create_app_shows_a_domain_link_only_where_the_domain_says(dummy_client):
    sign_in(dummy_client, "pcc.scrutiny.officer")
    assert "/dummy" not in dummy_client.get("/").text


def test_create_app_sends_a_visitor_to_sign_in_before_a_domain_page(dummy_client):
    assert dummy_client.get("/dummy").headers["location"] == "/sign-in?next=%2Fdummy"


def test_create_app_checks_the_form_token_on_a_domain_form(dummy_client):
    sign_in(dummy_client, "auditor")
    assert dummy_client.post("/dummy").status_code == 403
    token = get_form_token(dummy_client, "/dummy")
    assert dummy_client.post("/dummy", data={"csrf_token": token}).text == "changed by auditor"
