"""The demo force's live facial recognition: a pilot from April 2024 at the matcher's default
threshold, then deployments at a higher ("safer") setting, used more in 2026; each with the
faces the matcher saw, its alerts and their adjudication, deletion evidence, public-confidence
surveys every 6 months and the scrutiny groups' reviews.

Everything is drawn, nothing written in: arrests follow true alerts, which follow watchlist
size and footfall; false alerts follow the threshold (about 1 in 20,000 faces at the pilot's
setting, 1 in 400,000 at the higher one), so the March 2026 pack can say "no false alerts at
the current setting" only as far as the counts support it. Planted for the checks to find,
with controls, in ``truth/lfr.json``: deployments missing one piece of deletion evidence,
confirmations under 7 days with their urgent exception, and a survey falling due.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from peel.demo.load import _insert
from peel.lfr.rules import get_rules, to_uk_instant
from peel.warehouse import open_batch
from peel.warehouse.sql import quote_identifier

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

SOURCE_SYSTEM = "demo_lfr"
PILOT_START = date(2024, 4, 1)
THRESHOLD_RAISED = date(2024, 10, 1)  # after the pilot: the setting the note calls "high"
PILOT_THRESHOLD, HIGH_THRESHOLD = 0.60, 0.64
FALSE_PER_FACE = {PILOT_THRESHOLD: 1 / 20_000, HIGH_THRESHOLD: 1 / 400_000}
TRUE_PER_FACE_PER_ENTRY = 1e-7  # a watchlisted person passing and being recognised
DEPLOYMENTS_PER_MONTH = {2024: 2, 2025: 2.5, 2026: 8}
SITES = ["town centre", "railway station", "high street", "shopping centre", "bus station"]
OFFENCES = {"wanted on warrant": "Failing to appear (warrant)", "wanted for violence": "Assault occasioning ABH",
            "wanted for sexual offences": "Sexual assault", "wanted for robbery or burglary": "Burglary",
            "missing and vulnerable": None, "bail or court conditions": "Breach of bail conditions"}
ETHNICITY_SHARES = [0.09, 0.04, 0.03, 0.80, 0.02, 0.02]
SEX_SHARES = [0.15, 0.84, 0.01]
AGE_SHARES = [0.03, 0.18, 0.32, 0.24, 0.14, 0.08, 0.01]
SURVEY_QUESTIONS = {"I support the police using live facial recognition in public places": 0.64,
                    "I trust the police to use live facial recognition responsibly": 0.58,
                    "Live facial recognition makes me feel safer": 0.52}
SCRUTINY_GROUPS = [("Independent advisory group", 6), ("Race Inclusion Board", 4), ("Ethics panel", 6)]
TABLES = ["lfr_deployment", "lfr_alert", "lfr_deletion", "lfr_survey", "lfr_scrutiny"]


def generate(ctx: DemoContext) -> dict[str, int]:
    """Make and load the LFR records; write their truth to ``truth/lfr.json``."""
    rng = ctx.rng("lfr")
    start = max(ctx.first_day, PILOT_START)
    horizon = ctx.as_of + timedelta(days=45)  # confirmed deployments ahead of the extraction date
    districts = ctx.force.areas[ctx.force.areas["level"] == "district"][["area_code", "area_name"]].to_numpy()
    deployments, alerts, deletions, truth = _make_deployments(rng, start, horizon, ctx.as_of, districts)
    surveys = _make_surveys(rng, start, ctx.as_of)
    reviews = _make_reviews(rng, start, ctx.as_of)
    frames = dict(zip(TABLES, map(pd.DataFrame, [deployments, alerts, deletions, surveys, reviews]), strict=True))
    with open_batch(ctx.con, SOURCE_SYSTEM) as batch:
        for table in TABLES:
            ctx.con.execute(f"DELETE FROM {quote_identifier(table)} WHERE source_system = ?", [SOURCE_SYSTEM])
        counts = {table: _insert(ctx.con, table, frame, batch.batch_id) for table, frame in frames.items() if len(frame)}
        batch.rows_read = batch.rows_loaded = sum(counts.values())
        batch.note = "generated demo force: " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    truth["surveys"] = sorted({s["survey_ref"]: str(s["fieldwork_end"]) for s in surveys}.items())
    (ctx.truth_dir).mkdir(parents=True, exist_ok=True)
    (ctx.truth_dir / "lfr.json").write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")
    return counts


def _make_deployments(rng: np.random.Generator, start: date, horizon: date, as_of: date, districts) -> tuple:
    rules = get_rules()
    deployments, alerts, deletions = [], [], []
    truth: dict = {"deployments": {}, "deletion_gaps": {}, "urgent": [], "unconfirmed": []}
    days = _draw_days(rng, start, horizon)
    past = [d for d in days if d < as_of - timedelta(days=20)]
    # (a demo of a month or two has fewer past deployments than these: plant what fits)
    gaps = set(rng.choice(past, size=min(3, len(past)), replace=False).tolist())
    urgent_days = set(rng.choice(past, size=min(2, len(past)), replace=False).tolist())
    for number, day in enumerate(days, 1):
        ref = f"LFR-{day.year}-{number:03d}"
        code, name = districts[rng.integers(len(districts))]
        starts = to_uk_instant(datetime(day.year, day.month, day.day, int(rng.integers(9, 14))), ref)
        ends = starts + timedelta(hours=int(rng.integers(4, 9)))
        threshold = PILOT_THRESHOLD if day < THRESHOLD_RAISED else HIGH_THRESHOLD
        categories = sorted(rng.choice(rules["watchlist_categories"], size=int(rng.integers(2, 5)), replace=False).tolist())
        watchlist = int(rng.integers(1500, 4000) * (2 if day.year >= 2026 else 1))
        reason = "intelligence" if rng.random() < 0.3 else "footfall"
        urgent = day in urgent_days
        confirmed = starts - timedelta(days=float(rng.uniform(2, 5) if urgent else rng.uniform(8, 30)))
        if confirmed.date() > as_of:  # not yet announced on the extraction date: a control
            truth["unconfirmed"].append(ref)
            confirmed = None
        elif urgent:
            truth["urgent"].append(ref)
        done = ends.date() < as_of
        faces = int(rng.poisson(rng.uniform(3000, 12000))) if done else None
        deployments.append({
            "deployment_ref": ref, "source_system": SOURCE_SYSTEM, "source_record_id": ref,
            "location": f"{name} {SITES[rng.integers(len(SITES))]}", "location_reason": reason,
            "district_code": code, "starts_at": starts, "ends_at": ends,
            "purpose": "Locate people wanted by the courts or for serious offences, and missing people at risk",
            "authorising_officer": f"Supt {['Okafor', 'Reid', 'Patel', 'Hughes'][rng.integers(4)]}",
            "authorising_rank": "Superintendent", "watchlist_size": watchlist, "watchlist_categories": categories,
            "threshold": threshold, "uniformed_officers": int(rng.integers(6, 14)),
            "plain_clothes_officers": int(rng.integers(0, 5)), "confirmed_at": confirmed,
            "urgent_reason": "Intelligence of a wanted person expected at the location" if urgent and confirmed else None,
            "urgent_approver": "Chief Superintendent Moore" if urgent and confirmed else None,
            "cancelled_at": None, "faces_seen": faces})
        if not done:
            continue
        made = _make_alerts(rng, ref, starts, ends, faces, watchlist, threshold, categories)
        alerts += made
        truth["deployments"][ref] = {"day": str(day), "threshold": threshold, "faces_seen": faces, "alerts": len(made),
                                     "false_alerts": sum(a["adjudication"] == "false" for a in made),
                                     "arrests": sum(a["outcome"] == "arrest" for a in made)}
        missing = rules["deletion_evidence"][int(rng.integers(2))] if day in gaps else None
        if missing:
            truth["deletion_gaps"][ref] = missing
        for evidence in rules["deletion_evidence"]:
            if evidence != missing:
                deletions.append({"deployment_ref": ref, "source_system": SOURCE_SYSTEM,
                                  "source_record_id": f"{ref}:{evidence}", "evidence": evidence,
                                  "recorded_at": ends + timedelta(minutes=int(rng.integers(10, 600))),
                                  "recorded_by": "LFR operator " + "ABCD"[rng.integers(4)]})
    return deployments, alerts, deletions, truth


def _draw_days(rng: np.random.Generator, start: date, horizon: date) -> list[date]:
    """Deployment days: a Poisson number each month at that year's rate, on distinct days."""
    days: list[date] = []
    month = start.replace(day=1)
    while month <= horizon:
        following = (month + timedelta(days=32)).replace(day=1)
        span = (following - month).days
        count = min(int(rng.poisson(DEPLOYMENTS_PER_MONTH[min(month.year, 2026)])), span)
        days += sorted(month + timedelta(days=int(d)) for d in rng.choice(span, size=count, replace=False))
        month = following
    return [d for d in days if start <= d <= horizon]


def _make_alerts(rng, ref, starts, ends, faces, watchlist, threshold, categories) -> list[dict]:
    rules = get_rules()
    demographics = rules["demographics"]
    true_count = int(rng.poisson(faces * watchlist * TRUE_PER_FACE_PER_ENTRY))
    false_count = int(rng.poisson(faces * FALSE_PER_FACE[threshold]))
    made = []
    for n, is_true in enumerate(rng.permutation([True] * true_count + [False] * false_count)):
        category = str(rng.choice(categories))
        engaged = bool(rng.random() < (0.95 if is_true else 0.7))
        arrested = is_true and engaged and OFFENCES[category] is not None and rng.random() < 0.7
        outcome = "arrest" if arrested else ("other action" if is_true and engaged else "none")
        made.append({
            "alert_ref": f"{ref}-A{n + 1:02d}", "source_system": SOURCE_SYSTEM, "source_record_id": f"{ref}-A{n + 1:02d}",
            "deployment_ref": ref, "alerted_at": starts + (ends - starts) * float(rng.random()),
            "adjudication": "true" if is_true else "false", "engaged": engaged, "outcome": outcome,
            "offence": OFFENCES[category] if arrested else None, "watchlist_category": category,
            "ethnicity": str(rng.choice(demographics["ethnicity"], p=ETHNICITY_SHARES)),
            "sex": str(rng.choice(demographics["sex"], p=SEX_SHARES)),
            "age_band": str(rng.choice(demographics["age_band"], p=AGE_SHARES)),
            "subject_ref": f"WL-{rng.integers(10**6, 10**7)}"})
    return made


def _make_surveys(rng: np.random.Generator, start: date, as_of: date) -> list[dict]:
    """A survey every 6 months from 5 months into the pilot; support rising a little each time."""
    rows, end, wave = [], start + timedelta(days=165), 0
    while end <= as_of:
        ref = f"LFR-S{wave + 1}"
        respondents = int(rng.integers(600, 1100))
        for question, share in SURVEY_QUESTIONS.items():
            answered = respondents - int(rng.integers(0, 20))
            agreeing = int(rng.binomial(answered, min(share + 0.025 * wave, 0.95)))
            rows.append({"survey_ref": ref, "source_system": SOURCE_SYSTEM, "source_record_id": f"{ref}:{question[:40]}",
                         "fieldwork_start": end - timedelta(days=21), "fieldwork_end": end, "question": question,
                         "respondents": answered, "agreeing": agreeing})
        end, wave = end + relativedelta(months=get_rules()["survey_interval_months"]), wave + 1
    return rows


def _make_reviews(rng: np.random.Generator, start: date, as_of: date) -> list[dict]:
    """Each group reviews every few months from the pilot; the advisory group attended its first day."""
    rows = []
    for group, every in SCRUTINY_GROUPS:
        day, n = start, 1
        while day <= as_of:
            following = day + relativedelta(months=every)
            concerns = rng.random() < 0.3 and day > start
            rows.append({
                "review_ref": f"{group.split()[0][:4].upper()}-{n}", "source_system": SOURCE_SYSTEM,
                "source_record_id": f"{group}:{n}", "group_name": group, "review_date": day,
                "findings": ("Asked for the fairness figures by ethnicity at each threshold setting" if concerns
                             else "Attended a deployment; no concerns raised"),
                "force_response": "Fairness table added to the quarterly report" if concerns else None,
                "next_review": following})
            day, n = following, n + 1
    return rows
