"""In a real browser (Debian's chromium): sign in as a role and see its start page, with the
Content-Security-Policy enforced and every page usable without JavaScript."""

from __future__ import annotations

from playwright.sync_api import expect

from peel.web.visitor import SESSION_COOKIE

from .conftest import FORCE_NAME


def test_sign_in_in_a_browser_shows_the_role_start_page(open_tab):
    tab = open_tab()
    tab.page.goto("/")
    assert tab.page.url.endswith("/sign-in?next=%2F")
    tab.sign_in("licensing.officer")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Firearms licensing officer"
    expect(tab.page.get_by_role("link", name="Firearms licensing")).to_be_visible()
    assert tab.page.get_by_role("link", name="Audit log").count() == 0
    assert tab.page.title() == f"Firearms licensing officer - peel - {FORCE_NAME}"
    assert tab.problems == []


def test_sign_in_in_a_browser_keeps_the_session_cookie_from_scripts(open_tab):
    tab = open_tab()
    tab.sign_in("auditor")
    [cookie] = [c for c in tab.page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert SESSION_COOKIE not in tab.page.evaluate("document.cookie")


def test_sign_in_in_a_browser_runs_gov_uk_frontend_under_the_policy(open_tab):
    tab = open_tab()
    tab.page.goto("/sign-in")
    # GOV.UK Frontend's script ran (from a file: the policy refuses inline script) and added
    # the password field's "Show" button.
    assert "govuk-frontend-supported" in tab.page.evaluate("document.body.className")
    expect(tab.page.get_by_role("button", name="Show password")).to_be_visible()
    assert tab.problems == []


def test_sign_in_and_out_in_a_browser_without_javascript(open_tab):
    tab = open_tab(javascript=False)
    tab.sign_in("pcc.scrutiny.officer")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "PCC scrutiny officer"
    tab.page.get_by_role("link", name="Crime performance").click()
    # This app has no warehouse: the page says so and how to load some (peel.web.warehouse).
    expect(tab.page.get_by_text("No data is loaded yet. Load some")).to_be_visible()
    tab.page.get_by_role("button", name="Sign out").click()
    expect(tab.page.get_by_text("You have signed out.")).to_be_visible()
    tab.page.goto("/")
    assert "/sign-in" in tab.page.url


def test_sign_in_in_a_browser_with_a_wrong_password_says_so(open_tab):
    tab = open_tab()
    tab.sign_in("supervisor", "not the password")
    expect(tab.page.get_by_role("alert").get_by_text("Unknown user or wrong password.")).to_be_visible()
    assert tab.page.title().startswith("Error: Sign in")
