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
NO_FIGURES = {"administrator", "ingest_service", "control_room_service"}  # accounts only; scripted jobs
READS_SICKNESS = {"hr_wellbeing_officer", "supervisor"}  # read_personal in the workforce domain (roles.yaml)


@pytest.fixture(scope="module")
def demo_site(small_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    return copy_demo_site(small_demo, staff_casebook, tmp_path_factory.mktemp("workforce-web"))


SICKNESS_PAGES = ["/workforce/sickness", "/api/workforce/sickness/100001?purpose=Attendance%20review"]


def test_show_workforce_and_sickness_open_for_the_roles_that_may_and_refuse_the_rest(site):  # noqa: F811
    """Each role signed in in turn on the one app (which draws the section's charts once)."""
    answers = {}
    for role in sorted(load_roles()):
        sign_in(site, get_username(role))
        answers[role] = {path: site.get(path).status_code for path in PAGES + SICKNESS_PAGES}
        site.cookies.clear()  # signed out: the next role signs in afresh
    assert answers == {role: {**{path: 403 if role in NO_FIGURES else 200 for path in PAGES},
                              **{path: 200 if role in READS_SICKNESS else 403 for path in SICKNESS_PAGES}}
                       for role in load_roles()}


def test_show_sickness_shows_the_hr_officer_the_spells_and_logs_the_consultation(site, small_demo):  # noqa: F811
    staff_number, rank = small_demo.con.execute(
        """SELECT p.source_record_id, p.rank_or_grade FROM sickness_spell s JOIN staff_member p USING (staff_key)
           GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT 1""").fetchone()
    spells = small_demo.con.execute(
        """SELECT s.start_date FROM sickness_spell s JOIN staff_member p USING (staff_key)
           WHERE p.source_record_id = ? ORDER BY 1 DESC""", [staff_number]).fetchall()
    sign_in(site, get_username("hr_wellbeing_officer"))
    before = count_consultations()
    page = site.get("/workforce/sickness", params={"staff_number": staff_number, "purpose": "Attendance review"})
    assert page.status_code == 200
    assert f"Staff number {staff_number}: {rank}" in page.text
    assert [day.strftime("%d %B %Y") in page.text for (day,) in spells] == [True] * len(spells)
    answer = site.get(f"/api/workforce/sickness/{staff_number}", params={"purpose": "Attendance review"}).json()
    assert [s["start_date"] for s in answer] == [day.isoformat() for (day,) in spells]
    logged = [(e.subject_ref, e.purpose) for e in list_consultations()[before:]]
    assert logged == [(f"staff:{staff_number}", "Attendance review")] * 2


def list_consultations() -> list:
    """The HR officer's consultations in the site's audit log, oldest first."""
    with db.transaction() as session:
        return [e for e in select_entries(session, AuditFilter(actor="hr.wellbeing.officer"))
                if e.operation == "consultation"]


def count_consultations() -> int:
    return len(list_consultations())


def test_show_sickness_unknown_staff_number_or_no_purpose_is_said_on_the_form(site):  # noqa: F811
    sign_in(site, get_username("hr_wellbeing_officer"))
    before = count_consultations()
    unknown = site.get("/workforce/sickness", params={"staff_number": "NOSUCH", "purpose": "Attendance review"})
    assert unknown.status_code == 400 and "No one with staff number &#39;NOSUCH&#39;" in unknown.text
    assert site.get("/api/workforce/sickness/NOSUCH", params={"purpose": "Attendance review"}).status_code == 404
    unsaid = site.get("/workforce/sickness", params={"staff_number": "100001", "purpose": " "})
    assert unsaid.status_code == 400 and "Give both the staff number and why you need the record" in unsaid.text
    assert site.get("/api/workforce/sickness/100001", params={"purpose": ""}).status_code == 400
    assert count_consultations() == before  # nobody's record was read


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
