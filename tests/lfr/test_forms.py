"""The register's forms and their JSON API on a copy of the small demo force: a valid post does
its work, each refusal names its field in the GOV.UK error summary, a role that may not is
refused; cancelling shows on the public feeds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from tests.crime.demo_site import copy_demo_site
from tests.web.conftest import get_form_token, get_username, sign_in, staff_casebook  # noqa: F401

from peel.lfr.rules import UK

OPERATOR, SUPERVISOR = get_username("lfr_operator"), get_username("supervisor")
FAR = datetime.now(UK) + timedelta(days=60)  # confirmed without an urgent exception
PLAN = {"location": "Station forecourt", "location_reason": "footfall", "starts_at": f"{FAR:%Y-%m-%d} 10:00",
        "ends_at": f"{FAR:%Y-%m-%d} 16:00", "purpose": "Locate people wanted on warrant",
        "authorising_officer": "Supt Reid", "authorising_rank": "Superintendent", "watchlist_size": "2,500",
        "watchlist_categories": ["wanted on warrant", "missing and vulnerable"], "threshold": "0.64",
        "uniformed_officers": "8", "plain_clothes_officers": "2"}
WHY = "Proportionate: footfall and open warrants"


@pytest.fixture(scope="module")
def demo_site(lfr_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    """This module's own copy (its forms change it), served by conftest's ``site``."""
    return copy_demo_site(lfr_demo, staff_casebook, tmp_path_factory.mktemp("lfr-forms"))


def as_user(site, username: str) -> None:
    site.cookies.clear()  # signed out: the next person signs in on the same client
    sign_in(site, username)


def post(site, path: str, data: dict):
    return site.post(path, data={"csrf_token": get_form_token(site, "/lfr/plans"), **data})


def post_json(site, path: str, data: dict):
    return site.post(path, json=data, headers={"X-CSRF-Token": get_form_token(site, "/lfr/plans")})


def error_links(page: str) -> list[str]:
    summary = page.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#(\w+)"', summary)


def test_plan_form_plans_a_deployment_that_the_plans_page_lists(site):
    as_user(site, OPERATOR)
    assert site.get("/lfr/plans/new").status_code == 200
    response = post(site, "/lfr/plans/new", PLAN | {"location": "Market square"})
    assert response.status_code == 303, response.text
    page = site.get(response.headers["location"]).text
    assert "Planned as case" in page and "Market square" in page


def test_plan_form_names_each_field_it_refuses_and_plans_nothing(site):
    as_user(site, OPERATOR)
    bad = PLAN | {"location": "Bus station", "ends_at": f"{FAR:%Y-%m-%d} 09:00", "authorising_rank": "",
                  "watchlist_size": "lots", "watchlist_categories": [], "threshold": "2"}
    response = post(site, "/lfr/plans/new", bad)
    assert response.status_code == 400
    assert error_links(response.text) == ["authorising_rank", "watchlist_size", "watchlist_categories"]
    assert 'value="Bus station"' in response.text  # what was typed stays
    response = post(site, "/lfr/plans/new", bad | {"authorising_rank": "Superintendent", "watchlist_size": "10",
                                                   "watchlist_categories": ["wanted on warrant"]})
    assert error_links(response.text) == ["ends_at", "threshold"]
    assert "before it starts" in response.text and "between 0 and 1" in response.text
    assert "Bus station" not in site.get("/lfr/plans").text


@pytest.mark.parametrize("role", ["supervisor", "pcc_scrutiny_officer"])
def test_plan_form_refuses_a_role_that_may_not_plan(site, role):
    as_user(site, get_username(role))
    assert site.get("/lfr/plans/new").status_code == 403
    assert post(site, "/lfr/plans/new", PLAN | {"location": "Refused place"}).status_code == 403


def test_plan_authorise_confirm_and_cancel_through_the_forms_and_the_api(site):
    as_user(site, OPERATOR)
    planned = post_json(site, "/api/lfr/plans", PLAN | {"location": "Retail park"})
    assert planned.status_code == 200, planned.text
    case_id = planned.json()["case_id"]
    assert site.get(f"/lfr/plans/{case_id}/authorise").status_code == 403  # an operator does not decide
    as_user(site, SUPERVISOR)
    page = site.get(f"/lfr/plans/{case_id}/authorise").text
    assert "Retail park" in page and "Supt Reid, Superintendent" in page
    short = post(site, f"/lfr/plans/{case_id}/authorise", {"decision": "authorise", "reason": "ok"})
    assert short.status_code == 400 and error_links(short.text) == ["reason"]
    assert post(site, f"/lfr/plans/{case_id}/authorise", {"decision": "authorise", "reason": WHY}).status_code == 303
    as_user(site, OPERATOR)
    confirmed = post(site, f"/lfr/plans/{case_id}/confirm", {})
    assert confirmed.status_code == 303, confirmed.text
    ref = f"LFR-{FAR:%Y}-C{case_id}"
    assert ref in [d["reference"] for d in site.get("/public/lfr/deployments.json").json()["upcoming"]]
    as_user(site, SUPERVISOR)
    cancelled = post_json(site, f"/api/lfr/plans/{case_id}/cancel", {"reason": "Event called off by the council"})
    assert cancelled.json() == {"message": f"Case {case_id} cancelled: {ref} shows as cancelled on the public register.",
                                "case_id": case_id, "reference": ref}
    events = {str(e["uid"]): e for e in Calendar.from_ical(site.get("/public/lfr/deployments.ics").content)
              .walk("VEVENT")}
    assert (str(events[f"{ref}@lfr.peel"]["status"]), int(events[f"{ref}@lfr.peel"]["sequence"])) == ("CANCELLED", 1)
    assert "Event called off by the council" in site.get("/public/lfr/deployments").text


def test_confirm_form_under_7_days_needs_the_urgent_exception(site):
    soon = datetime.now(UK) + timedelta(days=3)
    as_user(site, OPERATOR)
    case_id = post_json(site, "/api/lfr/plans", PLAN | {"location": "Football ground", "starts_at": f"{soon:%Y-%m-%d} 10:00",
                                                      "ends_at": f"{soon:%Y-%m-%d} 16:00"}).json()["case_id"]
    as_user(site, SUPERVISOR)
    post(site, f"/lfr/plans/{case_id}/authorise", {"decision": "authorise", "reason": WHY})
    as_user(site, OPERATOR)
    late = post(site, f"/lfr/plans/{case_id}/confirm", {"urgent_reason": "Wanted man expected at the match"})
    assert late.status_code == 400 and error_links(late.text) == ["urgent_approver"]
    assert post(site, f"/lfr/plans/{case_id}/confirm", {"urgent_reason": "Wanted man expected at the match",
                                                        "urgent_approver": "Ch Supt Moore"}).status_code == 303


def read_gaps(site) -> set[str]:
    return {g["reference"] for g in site.get("/api/lfr/figures").json()["deletion_gaps"]}


def test_deployment_forms_record_deletion_and_refuse_an_alert_outside_the_deployment(site, lfr_demo):
    ref, missing = next(iter(lfr_demo.truth["deletion_gaps"].items()))  # one piece missing
    as_user(site, OPERATOR)
    day = lfr_demo.truth["deployments"][ref]["day"]
    alert = post(site, f"/lfr/deployments/{ref}/alert", {"alert_id": "F1", "alerted_at": f"{day} 03:00",
                                                         "adjudication": "true", "engaged": "yes", "outcome": "none"})
    assert alert.status_code == 400 and error_links(alert.text) == ["alerted_at"]
    gaps = read_gaps(site)
    assert ref in gaps
    faces = post(site, f"/lfr/deployments/{ref}/results", {"faces_seen": "many"})
    assert faces.status_code == 400 and error_links(faces.text) == ["faces_seen"]
    done = post(site, f"/lfr/deployments/{ref}/deletion", {"evidence": missing, "recorded_at": f"{day} 23:30",
                                                           "recorded_by": "PC Lane, LFR operator"})
    assert done.status_code == 303, done.text
    assert "Recorded" in site.get(done.headers["location"]).text
    assert read_gaps(site) == gaps - {ref}
    as_user(site, get_username("pcc_scrutiny_officer"))
    assert site.get(f"/lfr/deployments/{ref}/deletion").status_code == 403


def test_api_names_each_refused_field(site):
    as_user(site, OPERATOR)
    response = post_json(site, "/api/lfr/plans", PLAN | {"watchlist_size": 0, "location_reason": "hunch"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["location_reason", "watchlist_size"]


def test_survey_and_review_forms_record_them_and_name_a_refused_field(site):
    as_user(site, OPERATOR)
    survey = {"survey_ref": "LFR-S9", "fieldwork_start": "2026-03-01", "fieldwork_end": "2026-03-20",
              "results": "I support the police using LFR=812/540\nI trust the police to use LFR fairly=800/900"}
    refused = post(site, "/lfr/surveys/new", survey)
    assert refused.status_code == 400 and error_links(refused.text) == ["results"]
    assert "more answers than respondents" in refused.text
    assert post(site, "/lfr/surveys/new", survey | {"results": survey["results"].replace("800/900", "900/800")}
                ).status_code == 303
    review = {"review_ref": "RIB-99", "group": "Race Inclusion Board", "day": "2026-03-05",
              "findings": "Asked for fairness figures by threshold", "next_review": "2026-01-01"}
    late = post_json(site, "/api/lfr/reviews", review)
    assert [e["field"] for e in late.json()["errors"]] == ["next_review"]
    assert post_json(site, "/api/lfr/reviews", review | {"next_review": "2026-07-01"}).json()["review"] == "RIB-99"
    as_user(site, get_username("pcc_scrutiny_officer"))
    assert post(site, "/lfr/reviews/new", review).status_code == 403
