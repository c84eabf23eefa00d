"""Pages in the GOV.UK Design System under the force's own name: the Generic header, no GOV.UK
branding, vendored assets that exist, and no inline script or style."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from peel.web.app import create_app
from peel.web.layout import GOVUK_FRONTEND, STATIC_URL

from .conftest import FORCE_NAME, sign_in

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
def pages(client) -> dict[str, str]:
    """The HTML of each kind of page built so far, signed out and in."""
    found = {"sign-in": client.get("/sign-in").text,
             "sign-in error": sign_in(client, "supervisor", "not the password").text}
    sign_in(client, "supervisor")
    found |= {"start": client.get("/").text, "planned": client.get("/planned/review-queue").text,
              "not found": client.get("/no-such-page").text}
    return found


def test_render_page_uses_the_generic_header_with_the_force_and_service_names(pages):
    for page in pages.values():
        assert 'class="govuk-generic-header"' in page
        assert re.search(rf'govuk-generic-header__homepage-link">\s*{FORCE_NAME}\s*</a>', page)
        assert re.search(r'govuk-service-navigation__link">\s*peel\s*</a>', page)
        assert f"- peel - {FORCE_NAME}</title>" in page


def test_render_page_shows_no_gov_uk_branding(pages):
    for page in pages.values():
        assert "GOV.UK" not in page
        assert "govuk-header__logotype" not in page and "govuk-logo" not in page
        assert "Crown copyright" not in page


def test_render_page_has_no_inline_script_or_style(pages):
    for page in pages.values():
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
        assert "<style" not in page and " style=" not in page


def test_render_page_refers_only_to_assets_that_are_served(client, pages):
    assets = {path for page in pages.values() for path in ASSET.findall(page)}
    assert f"{STATIC_URL}/{GOVUK_FRONTEND}/govuk-frontend.min.css" in assets
    assert {path: client.get(path).status_code for path in assets} == dict.fromkeys(assets, 200)


def test_peel_js_imports_the_vendored_gov_uk_frontend(client):
    script = client.get(f"{STATIC_URL}/peel.js").text
    assert f'from "./{GOVUK_FRONTEND}/govuk-frontend.min.js"' in script
    assert client.get(f"{STATIC_URL}/{GOVUK_FRONTEND}/govuk-frontend.min.js").status_code == 200


def test_render_page_offers_sign_out_only_when_signed_in(client):
    assert 'action="/sign-out"' not in client.get("/sign-in").text
    sign_in(client, "supervisor")
    assert 'action="/sign-out"' in client.get("/").text


def test_render_page_says_when_the_casebook_cannot_be_opened(web_settings):
    broken = replace(web_settings, casebook_url="mysql://peel@db.force.internal/peel")
    with TestClient(create_app(broken), base_url="https://testserver") as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "peel cannot open its casebook" in response.text
    assert "PEEL_CASEBOOK_URL starts mysql://" in response.text
