"""LFR's pages: the register for LFR operators and supervisors (figures, deployments, deletion
gaps; the forms that change it are ``forms``'s), a deployment's alerts with their subjects (personal data: ``alerts.read_alert_subjects``
checks the role and logs the purpose itself), and the public register with its JSON, CSV and
iCalendar feeds (``public``), open to all. Nothing is computed here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict

import duckdb
from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from peel.casebook import Action, Actor, NotFound
from peel.lfr import figures, form_pages, public
from peel.lfr.alerts import read_alert_subjects
from peel.lfr.rules import as_uk
from peel.lfr.section import describe_rate, format_share, get_lfr_section
from peel.measures.periods import parse_month
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which
router.include_router(form_pages.router)  # plan, authorise, confirm, cancel, record: pages and API
DOMAIN = "lfr"
PUBLIC = "/public/lfr/deployments"


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_PERSONAL, DOMAIN):
        return []
    return [Link("Live facial recognition", "/lfr", "Deployments, their alerts and adjudication, deletion "
                 "evidence, and the month's figures.")]


def require_lfr(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    """The signed-in user, if their role works with LFR records (a refusal is logged)."""
    return require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)


@contextlib.contextmanager
def open_records(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published warehouse snapshot; None when it holds no LFR records (before any data
    is loaded: ``open_published``'s 503 page)."""
    with open_published(request) as con:
        yield con if figures.get_data_to(con) else None


@router.get("/lfr")
def show_register(request: Request, actor: Actor = Depends(require_lfr)) -> Response:
    with open_records(request) as con:
        if con is None:
            return render_page(request, "lfr/no_data.html.j2", title="Live facial recognition")
        as_of = figures.get_data_to(con)
        section = get_lfr_section(con, as_of.replace(day=1))
        deployments = list(reversed(figures.list_deployments(con, as_of, confirmed_only=False, with_cancelled=True)))
    return render_page(request, "lfr/register.html.j2", title="Live facial recognition", section=section,
                       deployments=deployments, uk=as_uk, describe_rate=describe_rate, format_share=format_share)


@router.get("/lfr/deployments/{ref}")
def show_deployment(request: Request, ref: str, done: str = "", actor: Actor = Depends(require_lfr)) -> Response:
    with open_records(request) as con:
        found = [d for d in figures.list_deployments(con, figures.get_data_to(con), confirmed_only=False,
                                                     with_cancelled=True) if d.ref == ref] if con is not None else []
        if not found:
            raise NotFound(f"There is no deployment {ref}; /lfr lists them.")
        alerts = read_alert_subjects(lambda: con, actor.username, ref,
                                     f"Reviewing the alerts and adjudications of deployment {ref}")
    return render_page(request, "lfr/deployment.html.j2", title=f"Deployment {ref}", deployment=found[0],
                       alerts=alerts, uk=as_uk, format_share=format_share, describe_rate=describe_rate, done=done,
                       may_record=actor.role.allows(Action.UPDATE_CASE, DOMAIN))


def require_figures(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


@router.get("/api/lfr/figures")
def api_figures(request: Request, month: str | None = None, actor: Actor = Depends(require_figures)) -> Response:
    """Item 2's figures for a month (default: the latest) as JSON: aggregates, no subject."""
    with open_records(request) as con:
        if con is None:
            raise NotFound("No live facial recognition records are loaded.")
        as_of = figures.get_data_to(con)
        section = get_lfr_section(con, parse_month(month, "month") if month else as_of.replace(day=1))
    return JSONResponse(jsonable_encoder({
        "month": section.month, "as_of": section.as_of, "month_figures": asdict(section.month_figures),
        "twelve_months": asdict(section.year_figures), "monthly": [asdict(p) for p in section.monthly],
        "deletion_gaps": [{"reference": d.ref, "missing": d.missing_evidence} for d in section.deletion_gaps],
        "next_survey": section.next_survey, "survey_due": section.survey_reminder,
        "next_reviews": section.next_reviews}))


def read_register(request: Request) -> public.Register | None:
    with open_records(request) as con:
        return public.get_register(con) if con is not None else None


@router.get(PUBLIC)
def show_public_register(request: Request) -> Response:
    return render_page(request, "lfr/public_register.html.j2", title="Live facial recognition deployments",
                       register=read_register(request), uk=as_uk, format_share=format_share, feeds=PUBLIC)


@router.get(PUBLIC + ".json")
def public_register_json(request: Request) -> Response:
    register = read_register(request)
    return JSONResponse(public.to_json(register) if register else {"as_of": None, "upcoming": [], "past": []})


@router.get(PUBLIC + ".csv")
def public_register_csv(request: Request) -> Response:
    register = read_register(request)
    return Response(public.to_csv(register) if register else ",".join(public.FIELDS) + "\n", media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="lfr-deployments.csv"'})


@router.get(PUBLIC + ".ics")
def public_register_ics(request: Request) -> Response:
    register = read_register(request) or public.Register(None, [], [])
    force = request.app.state.force_name or "The force"
    return Response(public.to_icalendar(register, force), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="lfr-deployments.ics"'})
