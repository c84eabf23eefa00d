"""Each role's start page links to what its grants allow and nothing else; the pages behind
the other links refuse it."""

from __future__ import annotations

import html
import re

import pytest

from peel.casebook.roles import load_roles
from peel.web.domains import DOMAINS
from peel.web.links import Placeholder

from .conftest import get_username, sign_in

LINK = re.compile(r'<h2 class="govuk-heading-m"><a class="govuk-link" href="([^"]+)">([^<]+)</a></h2>')
# Every start-page link, in start-page order (web/domains.py's order).
ORDER = ["Daily dashboard", "Crime performance", "Meeting pack", "Meeting actions", "Live facial recognition",
         "Leadership and wellbeing", "A person's sickness record", "Control room", "Firearms licensing",
         "Oldest renewals", "Renewal cases", "Safeguarding alerts", "Clare's Law cases",
         "Right to Know candidates", "Clare's Law figures", "Intelligence", "AI oversight", "Linkage review",
         "Review queue", "Audit log", "Retention review", "Accounts"]
EVERYONE_WITH_AGGREGATES = {"Daily dashboard", "Crime performance", "Meeting pack", "Meeting actions",
                            "Leadership and wellbeing", "Control room", "Clare's Law figures", "AI oversight",
                            "Firearms licensing"}  # the backlog's aggregates; its cases need read_personal
# Read off roles.yaml by hand: what each job is granted.
GRANTED = {
    "pcc_scrutiny_officer": EVERYONE_WITH_AGGREGATES,
    "performance_analyst": EVERYONE_WITH_AGGREGATES,
    "police_officer": EVERYONE_WITH_AGGREGATES,
    "intelligence_analyst": EVERYONE_WITH_AGGREGATES | {"Intelligence", "Linkage review", "Review queue"},
    "licensing_officer": EVERYONE_WITH_AGGREGATES | {"Oldest renewals", "Renewal cases", "Safeguarding alerts",
                                                     "Review queue"},
    "public_protection_officer": EVERYONE_WITH_AGGREGATES | {"Clare's Law cases", "Right to Know candidates",
                                                              "Review queue"},
    "lfr_operator": EVERYONE_WITH_AGGREGATES | {"Live facial recognition", "Review queue"},
    # Not Clare's Law cases or candidates: public-protection staff only (roles.yaml).
    "supervisor": EVERYONE_WITH_AGGREGATES | {"Live facial recognition", "A person's sickness record",
                                              "Oldest renewals", "Renewal cases", "Safeguarding alerts",
                                              "Intelligence", "Linkage review",
                                              "Review queue", "Retention review"},
    "information_manager": EVERYONE_WITH_AGGREGATES | {"Retention review"},
    "administrator": {"Accounts"},
    "auditor": EVERYONE_WITH_AGGREGATES | {"Audit log"},
    "control_room_manager": EVERYONE_WITH_AGGREGATES | {"Review queue"},
    "ingest_service": set(),  # a scripted job's role: loads and links, opens nothing on the web
    "hr_wellbeing_officer": EVERYONE_WITH_AGGREGATES | {"A person's sickness record"},
    "event_commander": EVERYONE_WITH_AGGREGATES | {"Intelligence", "Review queue"},
    "control_room_service": set(),  # a scripted job's role: files staffing proposals, opens nothing on the web
    "oversight_board_secretary": EVERYONE_WITH_AGGREGATES,  # records the board's decisions on /oversight
}
EXPECTED_LINKS = {role: [title for title in ORDER if title in titles] for role, titles in GRANTED.items()}


def get_links(page: str) -> dict[str, str]:
    """Title -> address of each start-page link."""
    return {html.unescape(title): href for href, title in LINK.findall(page)}


def test_expected_links_cover_every_role():
    assert set(EXPECTED_LINKS) == set(load_roles())


@pytest.mark.parametrize("role", sorted(EXPECTED_LINKS))
def test_show_start_page_links_only_to_what_the_role_may_open(client, role):
    sign_in(client, get_username(role))
    page = client.get("/")
    assert page.status_code == 200
    assert f"<h1 class=\"govuk-heading-l\">{html.escape(load_roles()[role].title)}</h1>" in page.text
    assert list(get_links(page.text)) == EXPECTED_LINKS[role]


@pytest.mark.parametrize("role", sorted(EXPECTED_LINKS))
def test_show_planned_page_opens_for_the_role_and_refuses_the_rest(client, role):
    sign_in(client, get_username(role))
    placeholders = [p for p in DOMAINS if isinstance(p, Placeholder)]  # built parts test their own pages
    opened = {p.title: client.get(p.href).status_code for p in placeholders}
    assert opened == {p.title: 200 if p.title in EXPECTED_LINKS[role] else 403 for p in placeholders}


def test_show_planned_page_says_why_it_is_refused(client):
    sign_in(client, "pcc.scrutiny.officer")
    refused = client.get("/planned/retention-review")
    assert refused.status_code == 403
    assert ("pcc.scrutiny.officer (PCC scrutiny officer) may not review retention."
            in html.unescape(refused.text))


def test_show_planned_page_for_a_page_that_does_not_exist(client):
    sign_in(client, "supervisor")
    assert client.get("/planned/no-such-thing").status_code == 404
