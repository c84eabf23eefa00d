"""The Leadership and wellbeing page and its JSON API, role by role, on the small demo force;
and a person's sickness record: only for a role that may read it, with a purpose, logged."""

from __future__ import annotations

import json

import pytest
from tests.crime.demo_site import copy_demo_site
from tests.crime.test_web import site  # noqa: F401 (fixture: a client over this module's demo_site)
from tests.web.conftest import FORCE_NAME, get_username, sign_in, staff_casebook  # noqa: F401 (fixtures)

from peel.casebook import AccessRefused, PurposeRequired, db
from peel.casebook.audit import AuditFilter, select_entries
from peel.casebook.roles import load_roles
from peel.workforce.people import list_sickness
from peel.workforce.section import get_workforce_section

PAGES = ["/workforce?month=2026-03", "/api/workforce?month=2026-03"]
NO_FIGURES = {"administrator", "ingest_service"}


@pytest.fixture(scope="module")
def demo_site(small_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    return copy_demo_site(small_demo, staff_casebook, tmp_path_factory.mktemp("workforce-web"))


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_show_workforce_opens_for_each_role_that_reads_figures_and_refuses_the_rest(site, role):  # noqa: F811
    sign_in(site, get_username(role))
    expected = 403 if role in NO_FIGURES else 200
    assert {path: site.get(path).status_code for path in PAGES} == {path: expected for path in PAGES}


def test_show_workforce_sends_a_visitor_to_sign_in_and_the_api_answers_401(site):  # noqa: F811
    assert site.get("/workforce").headers["location"] == "/sign-in?next=%2Fworkforce"
    assert site.get("/api/workforce").status_code == 401


def test_api_workforce_gives_the_pack_sections_figures(site, small_demo):  # noqa: F811
    sign_in(site, get_username("pcc_scrutiny_officer"))
    answer = site.get("/api/workforce", params={"month": "2026-03"}).json()
    section = get_workforce_section(small_demo.con, date_of("2026-03-01"))
    assert [(t["rank"], t["in_post"], t["booked"], t["completed"]) for t in answer["training"]] == \
        [(t.rank, t.in_post, t.booked, t.completed) for t in section.training]
    years = {y["year"]: (y["assaults"], y["solved"]) for y in answer["assaults"]["calendar_years"]}
    assert years == {y.label: (y.assaults, y.solved) for y in section.assaults.calendar_years}
    page = site.get("/workforce", params={"month": "2026-03"}).text
    assert "100% of sergeants booked" in page
    assert json.dumps(answer)  # plain data throughout


def test_api_workforce_refuses_a_month_that_is_not_one(site):  # noqa: F811
    sign_in(site, get_username("performance_analyst"))
    assert site.get("/api/workforce", params={"month": "March"}).status_code == 400


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


@pytest.fixture
def supervisor_and_analyst(demo_site, monkeypatch):
    """The site's casebook (one account per role) as the default, where consultations are logged."""
    monkeypatch.setenv("PEEL_HOME", str(demo_site))
    yield
    db.dispose_engines()


def test_list_sickness_shows_a_supervisor_the_spells_and_logs_the_consultation(small_demo, supervisor_and_analyst):
    staff_number, spells = small_demo.con.execute(
        """SELECT p.source_record_id, count(*) FROM sickness_spell s JOIN staff_member p USING (staff_key)
           GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
    shown = list_sickness(small_demo.con, staff_number, username="supervisor", purpose="Attendance review")
    assert len(shown) == spells and {s.staff_number for s in shown} == {staff_number}
    with db.transaction() as session:
        logged = [e for e in select_entries(session, AuditFilter(actor="supervisor")) if e.operation == "consultation"]
    assert [e.subject_ref for e in logged][-1] == f"staff:{staff_number}"
    assert logged[-1].purpose == "Attendance review"


def test_list_sickness_refuses_a_role_with_aggregates_only_and_logs_it(small_demo, supervisor_and_analyst):
    with pytest.raises(AccessRefused):
        list_sickness(small_demo.con, "100001", username="pcc.scrutiny.officer", purpose="Curious")
    with db.transaction() as session:
        [entry] = [e for e in select_entries(session, AuditFilter(actor="pcc.scrutiny.officer"))
                   if e.operation == "refusal"][-1:]
    assert json.loads(entry.detail)["domain"] == "workforce"


def test_list_sickness_refuses_without_a_purpose(small_demo, supervisor_and_analyst):
    with pytest.raises(PurposeRequired):
        list_sickness(small_demo.con, "100001", username="supervisor", purpose="")
