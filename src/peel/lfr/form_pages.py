"""The register's forms (``forms``) as GOV.UK pages and as the JSON API beside them: a page
shows the form, with each refusal beside its field and in the error summary, and on success
goes on to the page the form's work shows on; the API answers the same form as JSON (a 400
listing each field and message when refused).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from peel.casebook import Action, Actor, NotFound, transaction
from peel.lfr import register
from peel.lfr.forms import (
    DEPLOYMENT_FORMS,
    DOMAIN,
    NEW,
    PLAN_FORMS,
    FormRefused,
    get_form_action,
    get_forms,
    read_input,
    run_form,
)
from peel.lfr.rules import as_uk
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.visitor import require_actor, require_grant

router = APIRouter(route_class=InputRoute)


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
        title, path, back = f"{form.title}: case {target}", f"/lfr/plans/{target}/{key}", "/lfr/plans"
    elif key in DEPLOYMENT_FORMS:
        title, path, back = f"{form.title}: {target}", f"/lfr/deployments/{target}/{key}", f"/lfr/deployments/{target}"
    else:
        title, path = form.title, f"/lfr/{next(c for c, k in NEW.items() if k == key)}/new"
        back = "/lfr/plans" if key == "plan" else "/lfr"
    first = form.fields[0].name
    errors = [(name or first, message) for name, message in errors or []]
    return render_page(request, "lfr/form.html.j2", status_code=400 if errors else 200, title=title, form=form,
                       post_to=path, back=back, summary=summary, raw=raw or {}, errors=errors, messages=dict(reversed(errors)))


@router.get("/lfr/plans")
def show_plans(request: Request, done: str = "", actor: Actor = Depends(require_actor)) -> Response:
    require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)
    plans = register.list_plans(actor.username, "Working on the deployment plans")
    return render_page(request, "lfr/plans.html.j2", title="Deployment plans", plans=plans, uk=as_uk, done=done,
                       may_plan=actor.role.allows(Action.OPEN_CASE, DOMAIN),
                       may_decide=actor.role.allows(Action.DECIDE_CASE, DOMAIN),
                       may_update=actor.role.allows(Action.UPDATE_CASE, DOMAIN))


@router.get("/lfr/{collection}/new")
def show_new_form(request: Request, collection: str, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, NEW[check_key(collection, tuple(NEW))], None)


@router.post("/lfr/{collection}/new")
@requires_grant(get_form_action)
def post_new_form(request: Request, collection: str, raw: dict = Depends(read_input),
                  actor: Actor = Depends(require_actor)) -> Response:
    return post_page(request, actor, NEW[check_key(collection, tuple(NEW))], None, raw)


@router.get("/lfr/plans/{case_id}/{key}")
def show_plan_action(request: Request, case_id: int, key: str, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, check_key(key, PLAN_FORMS), str(case_id))


@router.post("/lfr/plans/{case_id}/{key}")
@requires_grant(get_form_action)
def post_plan_action(request: Request, case_id: int, key: str, raw: dict = Depends(read_input),
                     actor: Actor = Depends(require_actor)) -> Response:
    return post_page(request, actor, check_key(key, PLAN_FORMS), str(case_id), raw)


@router.get("/lfr/deployments/{ref}/{key}")
def show_deployment_action(request: Request, ref: str, key: str, actor: Actor = Depends(require_actor)) -> Response:
    return form_page(request, actor, check_key(key, DEPLOYMENT_FORMS), ref)


@router.post("/lfr/deployments/{ref}/{key}")
@requires_grant(get_form_action)
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


@router.post("/api/lfr/{collection}")
@requires_grant(get_form_action)
def api_new(request: Request, collection: str, raw: dict = Depends(read_input),
            actor: Actor = Depends(require_actor)) -> Response:
    """A new plan, survey or review (``POST /api/lfr/plans``, ``/surveys``, ``/reviews``)."""
    return api_result(request, actor, NEW[check_key(collection, tuple(NEW))], None, raw)


@router.post("/api/lfr/plans/{case_id}/{key}")
@requires_grant(get_form_action)
def api_plan_action(request: Request, case_id: int, key: str, raw: dict = Depends(read_input),
                    actor: Actor = Depends(require_actor)) -> Response:
    return api_result(request, actor, check_key(key, PLAN_FORMS), str(case_id), raw)


@router.post("/api/lfr/deployments/{ref}/{key}")
@requires_grant(get_form_action)
def api_deployment_action(request: Request, ref: str, key: str, raw: dict = Depends(read_input),
                          actor: Actor = Depends(require_actor)) -> Response:
    return api_result(request, actor, check_key(key, DEPLOYMENT_FORMS), ref, raw)

