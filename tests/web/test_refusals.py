"""A page a role may not open is refused and the refused attempt is in the audit log, with
the page asked for: the web app checks through the casebook, which logs every refusal."""

from __future__ import annotations

from sqlalchemy import select

from peel.casebook import transaction
from peel.casebook.models import AuditEntry

from .conftest import get_username, sign_in


def get_refusals(web_settings) -> list[AuditEntry]:
    with transaction(web_settings.casebook_url, readonly=True) as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.operation == "refusal")).scalars()
        return [(e.actor, e.object_id, e.detail) for e in entries]


def test_require_grant_refuses_a_placeholder_page_and_logs_the_page(client, web_settings):
    sign_in(client, get_username("pcc_scrutiny_officer"))
    assert client.get("/planned/firearms-licensing").status_code == 403
    refusals = get_refusals(web_settings)
    assert [(actor, page) for actor, page, _ in refusals] == [(get_username("pcc_scrutiny_officer"), "/planned/firearms-licensing")]
    assert "read_personal" in refusals[0][2]


def test_require_grant_refuses_crime_figures_to_the_administrator_and_logs_it(client, web_settings):
    sign_in(client, get_username("administrator"))
    assert client.get("/crime").status_code == 403
    assert client.get("/api/crime/overview").status_code == 403
    pages = [page for actor, page, _ in get_refusals(web_settings)]
    assert pages == ["/crime", "/api/crime/overview"]


def test_require_grant_logs_nothing_for_a_page_the_role_may_open(client, web_settings):
    sign_in(client, get_username("licensing_officer"))
    assert client.get("/planned/firearms-licensing").status_code == 200
    assert get_refusals(web_settings) == []
