"""LFR's pages role by role on the small demo force, and the public register's feeds: the
iCalendar feed parsed back to the same events, the JSON and CSV holding nothing personal."""

from __future__ import annotations

import csv
import io

import pytest
from icalendar import Calendar
from tests.casebook.conftest import audit_entries
from tests.crime.demo_site import copy_demo_site
from tests.web.conftest import get_username, sign_in, staff_casebook  # noqa: F401 (fixtures)

from peel.casebook.roles import load_roles
from peel.lfr import figures

SEES_LFR = {"lfr_operator", "supervisor"}  # read_personal on lfr, in roles.yaml
FEEDS = ["/public/lfr/deployments", "/public/lfr/deployments.json", "/public/lfr/deployments.csv",
         "/public/lfr/deployments.ics", "/public/lfr-fairness", "/api/public/lfr-fairness"]


@pytest.fixture(scope="module")
def demo_site(lfr_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    return copy_demo_site(lfr_demo, staff_casebook, tmp_path_factory.mktemp("lfr-web"))


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_lfr_pages_open_only_for_roles_that_work_with_lfr_records(site, role):
    sign_in(site, get_username(role))
    expected = 200 if role in SEES_LFR else 403
    assert {p: site.get(p).status_code for p in ("/lfr", "/lfr/deployments/LFR-2024-002")} == {
        "/lfr": expected, "/lfr/deployments/LFR-2024-002": expected}


def test_lfr_register_page_flags_the_planted_deletion_gaps(site, lfr_demo):
    sign_in(site, get_username("supervisor"))
    page = site.get("/lfr").text
    for ref in lfr_demo.truth["deletion_gaps"]:
        assert f'href="/lfr/deployments/{ref}">{ref}</a> (no record' in page


def test_lfr_deployment_page_shows_subjects_and_logs_the_purpose(site, lfr_demo, demo_site):
    sign_in(site, get_username("lfr_operator"))
    ref = next(r for r, c in lfr_demo.truth["deployments"].items() if c["alerts"])
    before = audit_entries(f"sqlite:///{demo_site / 'casebook.sqlite'}")[-1].seq
    page = site.get(f"/lfr/deployments/{ref}").text
    assert "WL-" in page
    logged = audit_entries(f"sqlite:///{demo_site / 'casebook.sqlite'}", before)
    assert {(e.operation, e.object_type, e.purpose) for e in logged} == {
        ("consultation", "lfr_alert", f"Reviewing the alerts and adjudications of deployment {ref}")}
    assert len(logged) == lfr_demo.truth["deployments"][ref]["alerts"]


def test_public_lfr_feeds_open_without_sign_in_and_hold_no_subject(site):
    for path in FEEDS:
        response = site.get(path)
        assert response.status_code == 200, path
        assert "WL-" not in response.text and "subject" not in response.text.lower(), path


def test_public_lfr_icalendar_parses_back_to_the_register(site, lfr_demo):
    calendar = Calendar.from_ical(site.get("/public/lfr/deployments.ics").content)
    events = {str(e["uid"]): (e.decoded("dtstart"), e.decoded("dtend"), str(e["location"]))
              for e in calendar.walk("VEVENT")}
    as_of = figures.get_data_to(lfr_demo.con)
    expected = {f"{d.ref}@lfr.peel": (d.starts_at, d.ends_at, d.location)
                for d in figures.list_deployments(lfr_demo.con, as_of)}
    assert events == expected
    assert set(lfr_demo.truth["unconfirmed"]).isdisjoint(uid.split("@")[0] for uid in events)


def test_public_lfr_json_and_csv_list_upcoming_from_confirmation_and_past_with_results(site, lfr_demo):
    data = site.get("/public/lfr/deployments.json").json()
    truth = lfr_demo.truth
    assert {d["reference"] for d in data["past"] if d["faces_seen"] is not None} == set(truth["deployments"])
    assert all(d["reference"] not in truth["unconfirmed"] for d in data["upcoming"])
    assert data["upcoming"] and all(d["faces_seen"] is None for d in data["upcoming"])
    by_ref = {d["reference"]: d for d in data["past"]}
    for ref, counts in truth["deployments"].items():
        assert (by_ref[ref]["alerts"], by_ref[ref]["false_alerts"], by_ref[ref]["arrests"]) == (
            counts["alerts"], counts["false_alerts"], counts["arrests"])
    rows = list(csv.DictReader(io.StringIO(site.get("/public/lfr/deployments.csv").text)))
    assert [r["reference"] for r in rows] == [d["reference"] for d in data["upcoming"] + data["past"]]


def test_public_lfr_fairness_hides_small_counts(site):
    tables = site.get("/api/public/lfr-fairness").json()["tables"]
    cells = [cell for table in tables for row in table["cells"] for cell in row]
    assert any(cell["hidden"] for cell in cells)
    assert all(cell["value"] is None or cell["value"] == 0 or cell["value"] >= 10 for cell in cells)


def test_api_lfr_figures_gives_the_months_figures_to_any_role_that_reads_aggregates(site, lfr_demo):
    sign_in(site, get_username("pcc_scrutiny_officer"))
    data = site.get("/api/lfr/figures?month=2026-03").json()
    truth = [c for c in lfr_demo.truth["deployments"].values() if c["day"].startswith("2026-03")]
    assert data["month_figures"]["arrests"] == sum(c["arrests"] for c in truth)
    assert data["month_figures"]["false_alerts"]["count"] == sum(c["false_alerts"] for c in truth)
    assert {g["reference"] for g in data["deletion_gaps"]} == set(lfr_demo.truth["deletion_gaps"])
    assert "WL-" not in site.get("/api/lfr/figures").text
