"""axe-core, run in the browser, finds no WCAG 2.2 AA violation on any page built so far: the
sign-in page (as it is, and with an error), every role's start page, a planned page and the
refusal and not-found pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from peel.casebook.roles import load_roles

from .conftest import get_username

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target).join(", ")})`);
}"""


def get_violations(tab) -> list[str]:
    # A click's navigation may still be under way: axe needs the new document loaded (on a
    # busy machine it once ran between the two and found no document).
    tab.page.wait_for_load_state("load")
    return tab.page.evaluate(RUN_AXE, WCAG_22_AA)


@pytest.fixture
def axe_tab(open_tab):
    """A tab with axe-core in every page: added by the browser as an init script, which the
    page's Content-Security-Policy does not govern; the policy still holds for all else."""
    return open_tab(init_script=AXE)


def test_get_violations_finds_a_field_without_its_label(axe_tab):
    axe_tab.page.goto("/sign-in")
    axe_tab.page.evaluate("document.querySelector('label[for=username]').remove()")
    assert [v.split(":")[0] for v in get_violations(axe_tab)] == ["label"]


def test_sign_in_page_has_no_wcag_violation(axe_tab):
    axe_tab.page.goto("/sign-in")
    assert get_violations(axe_tab) == []
    axe_tab.sign_in("supervisor", "not the password")
    assert axe_tab.page.title().startswith("Error:")
    assert get_violations(axe_tab) == []


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_start_page_has_no_wcag_violation(axe_tab, role):
    axe_tab.sign_in(get_username(role))
    assert axe_tab.page.get_by_role("heading", level=1).inner_text() == load_roles()[role].title
    assert get_violations(axe_tab) == []


def test_planned_refused_and_not_found_pages_have_no_wcag_violation(axe_tab):
    axe_tab.sign_in("supervisor")
    for path, heading in [("/planned/retention-review", "Retention review"),
                          ("/planned/accounts", "You cannot open this page"),
                          ("/no-such-page", "Page not found")]:
        axe_tab.page.goto(path)
        assert axe_tab.page.get_by_role("heading", level=1).inner_text() == heading
        assert get_violations(axe_tab) == [], path
