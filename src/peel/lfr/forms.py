"""The forms of the deployment register (``form_pages`` serves them as pages and JSON): plan a
deployment (an LFR operator), authorise or refuse it (a supervisor; never the planner),
confirm it for the public notice (the 7-day rule, or an urgent exception), cancel it (a
supervisor), record what happened (faces seen, each alert with its adjudication and outcome)
and the deletion evidence; and record a public-confidence survey or a scrutiny group's review.

Each form is declared once (``get_forms``: its fields and the function it calls). A page and its
API endpoint read the same fields the same way; a value that cannot be read, or a rule the
lfr function refuses (``PlanError`` names the field), comes back as an error beside the field
and in the GOV.UK error summary (the API: a 400 listing each field and message). The role
checks and the audit log are the lfr functions' own (``register``, ``alerts``); a page also
refuses a role that could never submit it before showing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from peel.casebook import Action, Actor, InvalidInput, InvalidStateChange, PurposeRequired
from peel.lfr import register
from peel.lfr.alerts import record_alert
from peel.lfr.rules import Plan, PlanError, find_plan_problems, get_rules, parse_uk_time
from peel.lfr.scrutiny import parse_results, record_review, record_survey
from peel.measures.periods import parse_day
from peel.warehouse import open_writer
from peel.web.visitor import require_grant

DOMAIN = "lfr"
TIME_HINT = "UK time, for example 2026-05-02 10:00"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, int, number, datetime, date, radios, checkboxes
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, text)
    required: bool = True


def choices(values: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple((v, v[0].upper() + v[1:]) for v in values)


@dataclass(frozen=True)
class Form:
    title: str
    action: Action  # what the role must be granted in lfr to use it
    fields: tuple[Field, ...]
    button: str
    submit: Callable  # (request, username, target, values) -> (message, where to go next, JSON result)


class FormRefused(Exception):
    """The form's values, refused: (field or None, message) each."""

    def __init__(self, errors: list[tuple[str | None, str]]):
        super().__init__("; ".join(message for _, message in errors))
        self.errors = errors


def read_values(form: Form, raw: dict[str, list[str]]) -> dict:
    """Each field's value read as its kind, or every field's error at once."""
    values, errors = {}, []
    for field in form.fields:
        given = [v.strip() for v in raw.get(field.name, []) if v.strip()]
        if not given:
            if field.required:
                verb = "Choose" if field.kind in ("radios", "checkboxes") else "Enter"
                errors.append((field.name, f"{verb} {field.label[0].lower() + field.label[1:]}"))
            values[field.name] = [] if field.kind == "checkboxes" else None
            continue
        text = given[0]
        try:
            if field.kind == "checkboxes":
                values[field.name] = given
            elif field.kind == "int":
                values[field.name] = int(text.replace(",", ""))
            elif field.kind == "number":
                values[field.name] = float(text)
            elif field.kind == "datetime":
                values[field.name] = parse_uk_time(text, field.label)
            elif field.kind == "date":
                values[field.name] = parse_day(text, field.label)
            else:
                values[field.name] = text
        except ValueError as error:
            whole = "a whole number" if field.kind == "int" else "a number"
            errors.append((field.name, str(error) if field.kind in ("datetime", "date")
                           else f"{field.label} must be {whole}, like 12: not {text!r}"))
    if errors:
        raise FormRefused(errors)
    return values


def writer(request: Request):
    return open_writer(request.app.state.settings.warehouse_path)


# ---- what each form does -------------------------------------------------------------------


def submit_plan(request, username, _target, v):
    plan = Plan(location=v["location"], location_reason=v["location_reason"], starts_at=v["starts_at"],
                ends_at=v["ends_at"], purpose=v["purpose"], authorising_officer=v["authorising_officer"],
                authorising_rank=v["authorising_rank"], watchlist_size=v["watchlist_size"],
                watchlist_categories=v["watchlist_categories"], threshold=v["threshold"],
                uniformed_officers=v["uniformed_officers"] or 0, plain_clothes_officers=v["plain_clothes_officers"] or 0)
    problems = find_plan_problems(plan)
    if problems:
        raise FormRefused([(name, text[0].upper() + text[1:]) for name, text in problems])
    case_id = register.plan_deployment(username, plan)
    return f"Planned as case {case_id}: a supervisor authorises it next.", "/lfr/plans", {"case_id": case_id}


def submit_authorise(request, username, case_id, v):
    authorised = v["decision"] == "authorise"
    register.authorise_deployment(username, int(case_id), authorised=authorised, reason=v["reason"])
    outcome = register.AUTHORISED if authorised else register.REFUSED
    return f"Case {case_id} {outcome}.", "/lfr/plans", {"case_id": int(case_id), "outcome": outcome}


def submit_confirm(request, username, case_id, v):
    with writer(request) as con:
        ref = register.confirm_deployment(con, username, int(case_id), urgent_reason=v["urgent_reason"],
                                          urgent_approver=v["urgent_approver"])
    return f"Confirmed and published as {ref}.", "/lfr/plans", {"case_id": int(case_id), "reference": ref}


def submit_cancel(request, username, case_id, v):
    with writer(request) as con:
        ref = register.cancel_deployment(con, username, int(case_id), v["reason"])
    shown = f": {ref} shows as cancelled on the public register" if ref else " (it was never published)"
    return f"Case {case_id} cancelled{shown}.", "/lfr/plans", {"case_id": int(case_id), "reference": ref}


def submit_results(request, username, ref, v):
    with writer(request) as con:
        register.record_results(con, username, ref, v["faces_seen"])
    return f"Recorded {v['faces_seen']:,} faces seen for {ref}.", f"/lfr/deployments/{ref}", {"reference": ref}


def submit_alert(request, username, ref, v):
    fields = {name: value for name, value in v.items() if name != "alert_id"} | {"deployment_ref": ref}
    with writer(request) as con:
        alert_ref = record_alert(con, username, v["alert_id"], fields)
    return f"Recorded alert {v['alert_id']} for {ref}.", f"/lfr/deployments/{ref}", {"alert": alert_ref}


def submit_deletion(request, username, ref, v):
    with writer(request) as con:
        register.record_deletion(con, username, ref, v["evidence"], v["recorded_at"], v["recorded_by"])
    return f"Recorded '{v['evidence']}' for {ref}.", f"/lfr/deployments/{ref}", {"reference": ref}


def submit_survey(request, username, _target, v):
    results = parse_results(v["results"].splitlines(), f"Survey {v['survey_ref']}")
    with writer(request) as con:
        record_survey(con, username, v["survey_ref"], v["fieldwork_start"], v["fieldwork_end"], results)
    return f"Recorded survey {v['survey_ref']}.", "/lfr", {"survey": v["survey_ref"], "questions": len(results)}


def submit_review(request, username, _target, v):
    with writer(request) as con:
        record_review(con, username, v["review_ref"], v["group"], v["day"], v["findings"], v["response"],
                      v["next_review"])
    return f"Recorded review {v['review_ref']}.", "/lfr", {"review": v["review_ref"]}


def get_forms() -> dict[str, Form]:
    rules = get_rules()
    ranks = rules["ranks"][rules["ranks"].index(rules["authorising_rank"]):]
    reason = Field("reason", "Reason", "textarea", "Why: it is recorded with the decision (at least 10 characters)")
    demographics = tuple(Field(name, name.replace("_", " ").capitalize(), "radios", "As the officer recorded it",
                               choices(values), required=False) for name, values in rules["demographics"].items())
    return {
        "plan": Form("Plan a deployment", Action.OPEN_CASE, (
            Field("location", "Location", hint="Where, as the public notice will say it"),
            Field("location_reason", "Why this location", "radios", choices=choices(rules["location_reasons"])),
            Field("starts_at", "Starts", "datetime", TIME_HINT),
            Field("ends_at", "Ends", "datetime", TIME_HINT),
            Field("purpose", "Purpose", "textarea", "As the public notice will say it"),
            Field("authorising_officer", "Authorising officer", hint="Their name"),
            Field("authorising_rank", "Authorising officer's rank", "radios", choices=choices(ranks)),
            Field("watchlist_size", "Watchlist size", "int", "Entries on the watchlist"),
            Field("watchlist_categories", "Watchlist categories", "checkboxes", "Select all the watchlist is drawn from",
                  choices(rules["watchlist_categories"])),
            Field("threshold", "Matcher threshold", "number", "The matcher's setting, between 0 and 1, for example 0.64"),
            Field("uniformed_officers", "Uniformed officers", "int", required=False),
            Field("plain_clothes_officers", "Plain-clothes officers", "int", required=False),
        ), "Plan the deployment", submit_plan),
        "authorise": Form("Authorise a deployment", Action.DECIDE_CASE, (
            Field("decision", "Decision", "radios", choices=(("authorise", "Authorise"), ("refuse", "Refuse"))),
            reason,
        ), "Record the decision", submit_authorise),
        "confirm": Form("Confirm and publish a deployment", Action.UPDATE_CASE, (
            Field("urgent_reason", "Urgent exception: reason", "textarea",
                  f"Only when confirming less than {rules['notice_days']} days before it starts", required=False),
            Field("urgent_approver", "Urgent exception: approved by", hint="Name and rank", required=False),
        ), "Confirm and publish", submit_confirm),
        "cancel": Form("Cancel a deployment", Action.DECIDE_CASE, (
            Field("reason", "Reason", "textarea", "The public register shows it (at least 10 characters)"),
        ), "Cancel the deployment", submit_cancel),
        "results": Form("Record faces seen", Action.UPDATE_CASE, (
            Field("faces_seen", "Faces seen", "int", "As the matcher reports"),
        ), "Record faces seen", submit_results),
        "alert": Form("Record an alert", Action.UPDATE_CASE, (
            Field("alert_id", "Alert number", hint="The alert's number on the matcher"),
            Field("alerted_at", "Raised at", "datetime", TIME_HINT),
            Field("adjudication", "Officer's adjudication", "radios",
                  choices=(("true", "True alert: the person on the watchlist"), ("false", "False alert"))),
            Field("engaged", "Did officers speak to the person?", "radios", choices=(("yes", "Yes"), ("no", "No"))),
            Field("outcome", "Outcome", "radios", choices=choices(rules["outcomes"])),
            Field("offence", "Offence arrested for", required=False),
            Field("watchlist_category", "Watchlist category of the entry", "radios",
                  choices=choices(rules["watchlist_categories"]), required=False),
            *demographics,
            Field("subject_ref", "Watchlist entry reference", hint="The person's reference on the watchlist",
                  required=False),
        ), "Record the alert", submit_alert),
        "deletion": Form("Record deletion evidence", Action.UPDATE_CASE, (
            Field("evidence", "Evidence", "radios", choices=choices(rules["deletion_evidence"])),
            Field("recorded_at", "When", "datetime", TIME_HINT),
            Field("recorded_by", "Recorded by", hint="Name and role"),
        ), "Record the evidence", submit_deletion),
        "survey": Form("Record a public-confidence survey", Action.UPDATE_CASE, (
            Field("survey_ref", "Survey reference", hint="For example LFR-S4"),
            Field("fieldwork_start", "Fieldwork's first day", "date", "For example 2026-03-01"),
            Field("fieldwork_end", "Fieldwork's last day", "date", "For example 2026-03-20"),
            Field("results", "Results", "textarea", "One question a line: QUESTION=RESPONDENTS/AGREEING, for "
                                                    "example: I support the police using LFR=812/540"),
        ), "Record the survey", submit_survey),
        "review": Form("Record a scrutiny group's review", Action.UPDATE_CASE, (
            Field("review_ref", "Review reference", hint="For example RIB-9"),
            Field("group", "Group", hint="For example Race Inclusion Board, or the independent advisory group"),
            Field("day", "Date of the review", "date", "For example 2026-03-05"),
            Field("findings", "What the group found", "textarea"),
            Field("response", "The force's response", "textarea", required=False),
            Field("next_review", "The group's next review", "date", "For example 2026-07-01", required=False),
        ), "Record the review", submit_review),
    }


PLAN_FORMS, DEPLOYMENT_FORMS = ("authorise", "confirm", "cancel"), ("results", "alert", "deletion")
NEW = {"plans": "plan", "surveys": "survey", "reviews": "review"}  # /lfr/<collection>/new: a form


def get_form_action(path: dict[str, str]) -> Action | None:
    """The grant the form a route's path names needs (its ``key``, or a new one's ``collection``),
    checked before the form is read; None: there is no such form, as the route then says."""
    form = get_forms().get(path.get("key") or NEW.get(path.get("collection", "")), None)
    return form.action if form else None


def run_form(request: Request, actor: Actor, key: str, target: str | None, raw: dict[str, list[str]]):
    """Read and submit form ``key``; its (message, next page, JSON result), or FormRefused."""
    form = get_forms()[key]
    require_grant(request, actor, form.action, DOMAIN)
    values = read_values(form, raw)
    names = {f.name for f in form.fields}
    try:
        return form.submit(request, actor.username, target, values)
    except PlanError as error:
        raise FormRefused([(error.field if error.field in names else None, str(error))]) from None
    except PurposeRequired as error:
        raise FormRefused([("reason" if "reason" in names else None, str(error))]) from None
    except (InvalidStateChange, InvalidInput) as error:
        raise FormRefused([(None, str(error))]) from None


async def read_input(request: Request) -> dict[str, list[str]]:
    """A page's form fields, or an API call's JSON object, as lists of text by field."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("Send a JSON object of field names to values.")
        return {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in body.items() if v is not None}
    form = await request.form()
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
