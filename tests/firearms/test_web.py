"""The firearms pages and API on the linked demo: aggregates for the PCC's office, the
oldest cases only for licensing staff, with a purpose, logged."""

from sqlalchemy import select

from peel.casebook import db
from peel.casebook.models import AuditEntry

from .conftest import PURPOSE, sign_in


def test_backlog_page_shows_the_pccs_office_the_aggregates(web):
    sign_in(web, "web.pcc")
    page = web.get("/firearms", params={"staff": 10})
    assert page.status_code == 200
    assert "renewals outstanding" in page.text and "80% interval" in page.text
    answer = web.get("/api/firearms/backlog").json()
    assert answer["outstanding"] == sum(answer["outstanding_by_year_due"].values())


def test_oldest_refused_to_the_pccs_office(web):
    sign_in(web, "web.pcc")
    assert web.get("/firearms/oldest", params={"purpose": PURPOSE}).status_code == 403
    assert web.get("/api/firearms/oldest", params={"purpose": PURPOSE}).status_code == 403


def test_oldest_api_shows_a_licensing_officer_and_logs_it(web):
    sign_in(web, "web.officer")
    rows = web.get("/api/firearms/oldest", params={"purpose": PURPOSE, "limit": 3}).json()
    assert len(rows) == 3
    with db.transaction(readonly=True) as session:
        logged = session.execute(select(AuditEntry.subject_ref).where(
            AuditEntry.actor == "web.officer", AuditEntry.purpose == PURPOSE)).scalars().all()
    assert {r["holder_ref"] for r in rows} <= set(logged)
