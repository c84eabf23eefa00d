"""The forms of the deployment register, as web pages and as the JSON API beside them: plan a
deployment (an LFR operator), authorise or refuse it (a supervisor; never the planner),
confirm it for the public notice (the 7-day rule, or an urgent exception), cancel it (a
supervisor), and record what happened (faces seen, each alert with its adjudication and
outcome) and the deletion evidence.

Each form is declared once (``FORMS``: its fields and the function it calls). A page and its
API endpoint read the same fields the same way; a value that cannot be read, or a rule the
lfr function refuses (``PlanError`` names the field), comes back as an error beside the field
and in the GOV.UK error summary (the API: a 400 listing each field and message). The role
checks and the audit log are the lfr functions' own (``register``, ``alerts``); a page also
refuses a role that could never submit it before showing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from peel.casebook import (
    Action,
    Actor,
    InvalidInput,
    InvalidStateChange,
    NotFound,
    PurposeRequired,
    transaction,
)
from peel.lfr import register
from peel.lfr.alerts import record_alert
from peel.lfr.rules import Plan, PlanError, as_uk, find_plan_problems, get_rules, parse_uk_time
from peel.measures.periods import parse_day
from peel.warehouse import open_writer
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.visitor import require_actor, require_grant

router = APIRouter(route_class=InputRoute)
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
    }


PLAN_FORMS, DEPLOYMENT_FORMS = ("authorise", "confirm", "cancel"), ("results", "alert", "deletion")


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


# ---- pages ------------------------------------------------------------------------------------


def describe_plan(request: Request, actor: Actor, case_id: int, purpose: str) -> list[tuple[str, str]]:
    """The plan a decision is about, as summary rows (reading it is logged with ``purpose``)."""
    with transaction(request.app.state.settings.casebook_url) as session:
        plan, case = register.read_plan(session, actor.username, case_id, purpose)
    return [("Case", str(case_id)), ("Status", register.get_plan_status(case)), ("Planned by", case.opened_by),
            ("Location", f"{plan.location} ({plan.location_reason})"),
            ("When (UK time)", f"{as_uk(plan.starts_at):%A %-d %B %Y %H:%M} to {as_uk(plan.ends_at):%H:%M}"),
            ("Purpose", plan.purpose), ("Authorising officer", f"{plan.authorising_officer}, {plan.authorising_rank}"),
            ("Watchlist", f"{plan.watchlist_size:,}: {', '.join(plan.watchlist_categories)}"),
            ("Threshold", str(plan.threshold)),
            ("Officers", f"{plan.uniformed_officers} uniformed, {plan.plain_clothes_officers} plain clothes")]


def form_page(request: Request, actor: Actor, key: str, target: str | None, raw: dict | None = None,
              errors: list | None = None) -> Response:
    form = get_forms()[key]
    require_grant(request, actor, form.action, DOMAIN)
    summary = []
    if key in PLAN_FORMS:
        summary = describe_plan(request, actor, int(target), f"Reviewing plan {target} to {key} it")
        title = f"{form.title}: case {target}"
        path = f"/lfr/plans/{target}/{key}"
    elif key in DEPLOYMENT_FORMS:
        title, path = f"{form.title}: {target}", f"/lfr/deployments/{target}/{key}"
    else:
        title, path = form.title, "/lfr/plans/new"
    first = form.fields[0].name
    errors = [(name or first, message) for name, message in errors or []]
    return render_page(request, "lfr/form.html.j2", status_code=400 if errors else 200, title=title, form=form,
                       post_to=path, summary=summary, raw=raw or {}, errors=errors, messages=dict(reversed(errors)))


@router.get("/lfr/plans")
def show_plans(request: Request, done: str = "", actor: Actor = Depends(require_actor)) -> Response:
    require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)
    plans = register.list_plans(actor.username, "Working on the deployment plans")
    return render_page(request, "lfr/plans.html.j2", title="Deployment plans", plans=plans, uk=as_uk, done=done,
                       may_plan=actor.role.allows(Action.OPEN_CASE, DOMAIN),
                       may_decide=actor.role.allows(Action.DECIDE_CASE, DOMAIN),
                       may_update=actor.role.allows(Action.UPDATE_CASE, DOMAIN))


@router.get("/lfr/plans/new")
def show_plan_form(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, "plan", None)


@router.post("/lfr/plans/new")
def post_plan_form(request: Request, raw: dict = Depends(read_input), actor: Actor = Depends(require_actor)) -> Response:
    return post_page(request, actor, "plan", None, raw)


@router.get("/lfr/plans/{case_id}/{key}")
def show_plan_action(request: Request, case_id: int, key: str, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, check_key(key, PLAN_FORMS), str(case_id))


@router.post("/lfr/plans/{case_id}/{key}")
def post_plan_action(request: Request, case_id: int, key: str, raw: dict = Depends(read_input),
                     actor: Actor = Depends(require_actor)) -> Response:
    return post_page(request, actor, check_key(key, PLAN_FORMS), str(case_id), raw)


@router.get("/lfr/deployments/{ref}/{key}")
def show_deployment_action(request: Request, ref: str, key: str, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, check_key(key, DEPLOYMENT_FORMS), ref)


@router.post("/lfr/deployments/{ref}/{key}")
def post_deployment_action(request: Request, ref: str, key: str, raw: dict = Depends(read_input),
                           actor: Actor = Depends(require_actor)) -> Response:
    return post_page(request, actor, check_key(key, DEPLOYMENT_FORMS), ref, raw)


def check_key(key: str, known: tuple[str, ...]) -> str:
    if key not in known:
        raise NotFound(f"There is no form {key!r} here: the forms are {', '.join(known)}.")
    return key


def post_page(request: Request, actor: Actor, key: str, target: str | None, raw: dict) -> Response:
    try:
        message, page, _ = run_form(request, actor, key, target, raw)
    except FormRefused as refused:
        return form_page(request, actor, key, target, raw, refused.errors)
    return RedirectResponse(f"{page}?{urlencode({'done': message})}", status_code=303)


# ---- the JSON API -----------------------------------------------------------------------------


def api_result(request: Request, actor: Actor, key: str, target: str | None, raw: dict) -> Response:
    try:
        message, _, result = run_form(request, actor, key, target, raw)
    except FormRefused as refused:
        return JSONResponse({"detail": str(refused), "errors": [{"field": f, "message": m} for f, m in refused.errors]},
                            status_code=400)
    return JSONResponse({"message": message, **result})


@router.get("/api/lfr/plans")
def api_plans(request: Request, purpose: str, actor: Actor = Depends(require_actor)) -> Response:
    """Every plan with where it has got to; each plan read is logged with ``purpose``."""
    return JSONResponse([{"case_id": p.case_id, "location": p.location, "starts": as_uk(p.starts_at).isoformat(),
                          "ends": as_uk(p.ends_at).isoformat(), "planned_by": p.planned_by, "status": p.status,
                          "reference": p.deployment_ref} for p in register.list_plans(actor.username, purpose)])


@router.post("/api/lfr/plans")
def api_plan(request: Request, raw: dict = Depends(read_input), actor: Actor = Depends(require_actor)) -> Response:
    return api_result(request, actor, "plan", None, raw)


@router.post("/api/lfr/plans/{case_id}/{key}")
def api_plan_action(request: Request, case_id: int, key: str, raw: dict = Depends(read_input),
                    actor: Actor = Depends(require_actor)) -> Response:
    return api_result(request, actor, check_key(key, PLAN_FORMS), str(case_id), raw)


@router.post("/api/lfr/deployments/{ref}/{key}")
def api_deployment_action(request: Request, ref: str, key: str, raw: dict = Depends(read_input),
                          actor: Actor = Depends(require_actor)) -> Response:
    return api_result(request, actor, check_key(key, DEPLOYMENT_FORMS), ref, raw)

