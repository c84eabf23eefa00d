"""Each main journey walked in a real browser with the keyboard alone (WCAG 2.1.1): after
opening the start page, only Tab, Shift+Tab, Enter, the arrows and typing; no click, no
address typed in mid-journey. Each stop's focus must be visible in GOV.UK's focus style (the
yellow #ffdd00 behind a link or button, around a field, or around a radio's circle).

The journeys: an officer opens yesterday's solved crimes and the crimes behind one count; an
analyst changes crime type, area and month and downloads the XLSX; a supervisor decides a
review item; an auditor filters the audit log; the PCC's office records a meeting action and
the force updates its status."""
# ruff: noqa: F811 (fixtures imported from other test modules are parameters)

from __future__ import annotations

from collections.abc import Callable

from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import PASSWORD
from .test_casepages_browser import PURPOSE, REASON, file_item, live_home  # noqa: F401 (a fixture)
from .test_crime_browser import demo_server, demo_tab  # noqa: F401 (fixtures)

FOCUS_COLOUR = "rgb(255, 221, 0)"  # GOV.UK's focus colour, #ffdd00
# What has the focus: its label, text, value and address, and the colours its focus style
# draws with (for a radio or checkbox, the circle or box its label draws).
FOCUSED = r"""() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const label = el.labels && el.labels.length ? el.labels[0] : null;
    const drawn = (el.type === "radio" || el.type === "checkbox") && label
        ? getComputedStyle(label, "::before") : getComputedStyle(el);
    const words = (text) => (text || "").replace(/\s+/g, " ").trim();  // visually hidden text on its own line
    return {label: words(label && label.innerText), text: words(el.innerText),
            value: el.value || "", href: el.getAttribute("href") || "",
            colours: [drawn.backgroundColor, drawn.outlineColor, drawn.boxShadow, drawn.borderColor].join(" ")};
}"""


def tab_to(page, wanted: str | Callable[[dict], bool], presses: int = 120, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab ``backwards``) until the focused element is ``wanted`` (its label,
    text or value, or a test of what ``FOCUSED`` returns), and check its focus can be seen."""
    matches = wanted if callable(wanted) else lambda f: wanted in (f["label"], f["text"], f["value"])
    for _ in range(presses):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused and matches(focused):
            assert FOCUS_COLOUR in focused["colours"], f"focus not visible on {focused}"
            return focused
    raise AssertionError(f"{wanted!r} cannot be reached with the Tab key")


def open_start_page(tab, username: str):
    """Open the start page, which sends a visitor to sign in, and sign in there by keyboard."""
    tab.page.goto("/")
    sign_in_by_keyboard(tab.page, username)
    return tab.page


def type_into(page, fields: list[tuple[str, str]]) -> None:
    """Tab to each field (by its label) and type its text."""
    for label, text in fields:
        tab_to(page, label)
        page.keyboard.type(text)


def sign_in_by_keyboard(page, username: str) -> None:
    """On the sign-in page (where the start page sends a visitor): type the name and password."""
    type_into(page, [("Username", username), ("Password", PASSWORD)])
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {username}", exact=True)).to_be_visible()


def sign_out_by_keyboard(page) -> None:
    tab_to(page, lambda f: f["text"].startswith("Sign out"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in**")


def follow(page, link: str | Callable[[dict], bool], address: str) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(address)


def test_officer_opens_yesterdays_solved_crimes_with_the_keyboard(demo_tab):
    tab = demo_tab()
    page = open_start_page(tab, "police.officer")
    # The start page shows yesterday; the demo's data ends on 11 March 2026, which it offers.
    follow(page, "show that day", "**/crime/daily?date=2026-03-11")
    expect(page.get_by_role("heading", name="Crimes solved on Wednesday 11 March 2026")).to_be_visible()
    count = tab_to(page, lambda f: f["href"].startswith("/crime/daily/crimes?date=2026-03-11&crime_type="))
    page.keyboard.press("Enter")
    page.wait_for_url("**/crime/daily/crimes?**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Crimes solved on 11 March 2026")
    assert page.locator("tbody tr").count() == int(count["text"].split()[0]) > 0
    assert tab.problems == []


def test_analyst_chooses_figures_and_downloads_the_xlsx_with_the_keyboard(demo_tab, tmp_path):
    tab = demo_tab()
    page = open_start_page(tab, "performance.analyst")
    follow(page, "Crime performance", "**/crime")
    # A closed list chooses the option whose name is typed.
    type_into(page, [("Crime type", "Shoplifting"), ("Area", "Brackenholt"), ("Month", "November 2025")])
    tab_to(page, "Month", backwards=True)  # and back: Shift+Tab reaches the same field
    tab_to(page, "Show")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Shoplifting, Brackenholt: November 2025")).to_be_visible()
    tab_to(page, "XLSX spreadsheet of the figures")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "shoplifting-brackenholt-2025-11-figures.xlsx"
    assert load_workbook(path).active["A1"].value == "Measure"
    assert tab.problems == []


def test_supervisor_decides_a_review_item_with_the_keyboard(open_tab, live_home):
    item = file_item(live_home)
    tab = open_tab()
    page = open_start_page(tab, "supervisor")
    follow(page, "Review queue", "**/review")
    follow(page, f"Item {item}", f"**/review/{item}")
    tab_to(page, "Why do you need to see this item?")
    page.keyboard.type(PURPOSE)
    page.keyboard.press("Enter")
    page.wait_for_url("**purpose=*")
    tab_to(page, "Accept")  # a radio group is one Tab stop; the arrows move within it
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Reject").is_checked()
    tab_to(page, "Your reason")
    page.keyboard.type(REASON)
    tab_to(page, "Record the decision")
    page.keyboard.press("Enter")
    page.wait_for_url("**/review?decided=*")
    expect(page.get_by_text(f"Review item {item} rejected.")).to_be_visible()
    assert tab.problems == []


def test_auditor_filters_the_audit_log_with_the_keyboard(open_tab, live_home):
    file_item(live_home)
    tab = open_tab()
    page = open_start_page(tab, "auditor")
    follow(page, "Audit log", "**/audit")
    tab_to(page, "Operation")
    page.keyboard.type("collection")
    tab_to(page, "Subject reference")
    page.keyboard.type("W-17")
    tab_to(page, "Filter")
    page.keyboard.press("Enter")
    page.wait_for_url("**subject_ref=W-17*")
    assert "operation=collection" in page.url
    operations = page.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert operations and set(operations) == {"collection"}
    assert tab.problems == []


def test_pccs_office_records_an_action_and_the_force_updates_it_with_the_keyboard(open_tab, live_server):
    tab = open_tab()
    page = open_start_page(tab, "pcc.scrutiny.officer")
    follow(page, "Meeting actions", "**/actions")
    type_into(page, [("Meeting's month", "2026-02"), ("Agenda item", "Burglary"),
                     ("Action", "Report on the Diwali patrols"), ("Owner", "Head of Neighbourhood Policing"),
                     ("Due date", "2026-04-30")])
    tab_to(page, "Record the action")
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions?recorded=*")
    number = page.url.split("recorded=")[1]
    expect(page.get_by_text(f"Action {number} is recorded.")).to_be_visible()

    sign_out_by_keyboard(page)  # another person, in the same browser
    sign_in_by_keyboard(page, "performance.analyst")
    follow(page, "Meeting actions", "**/actions")
    follow(page, lambda f: f["href"] == f"/actions/{number}", f"**/actions/{number}")
    tab_to(page, "Open")  # the status now: the radio group's one Tab stop
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Done").is_checked()
    tab_to(page, "Evidence")
    page.keyboard.type("Report presented at the March meeting")
    tab_to(page, "Save the update")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/actions#action-{number}")
    expect(page.locator(f"#action-{number} .govuk-tag")).to_have_text("Done")
    assert tab.problems == []
