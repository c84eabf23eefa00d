"""The demo force's intelligence: each intelligence report's 3x5x2 handling grading and free
text, and the public events (football matches, a summer festival) the force policed.

The reports themselves (date, district, subjects) come from the persons generator's
intelligence extract; here each gets the text an officer would have written about its subjects,
naming them, their phone, vehicle and postcode as the extract recorded them, so that entity
mining has real mentions to find. The truth of every mention (which true person it is) is
written to ``truth/intel_mentions.parquet``, never to the warehouse.

The grading is the one the extract already carries (5x5 letters and digits, e.g. ``B2``)
restated in 3x5x2 terms (``GRADE_FROM_5X5``), with a declared share re-assessed as suspected
false (``E``) and a share carrying handling conditions (``C``): the pack must respect both.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peel.demo.load import _insert
from peel.warehouse import open_batch

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

SOURCE_SYSTEM = "demo_intelligence"
EVENTS_SOURCE = "demo_events"
# 5x5x5 source letter -> 3x5x2 source evaluation; information digit -> intelligence assessment.
GRADE_FROM_5X5 = {
    "source": {"A": "1", "B": "2", "C": "2", "D": "3", "E": "3"},
    "information": {"1": "A", "2": "B", "3": "C", "4": "D", "5": "E"},
}
SHARE_SUSPECTED_FALSE = 0.04
SHARE_WITH_CONDITIONS = 0.15
CONDITIONS = [
    "Not to be disseminated outside Chalkshire Constabulary without the originator's consent.",
    "Sanitise before any disclosure: source protection applies.",
]
OPENINGS = [
    "Information received that {name} is involved in the supply of controlled drugs.",
    "Source reports that {name} has been seen acting suspiciously near residential properties.",
    "It is reported that {name} is carrying a bladed article when out at night.",
    "Information suggests {name} is handling stolen goods.",
]

# Public events: the home football club's league fixtures, fortnightly Saturdays in season,
# and a summer festival. The derby draws the largest crowds.
HOME_CLUB, HOME_GROUND = "Chalk Town", "Chalk Park"
AWAY_CLUBS = ["Brackenholt Rovers", "Corvedon Athletic", "Dunmere United", "Greywick Town",
              "Kestlebury City", "Lanthorne Albion", "Marlowby Wanderers", "Quillbrook FC"]
DERBY = "Brackenholt Rovers"
FESTIVAL, FESTIVAL_VENUE = "Chalkshire Summer Festival", "Fallowmere Showground"


def generate(ctx: DemoContext) -> dict[str, int]:
    """Load intelligence report gradings and text (when the persons exist) and public events."""
    rng = ctx.rng("intel")
    # The reports' subjects come from the persons generator's intelligence extract, when it ran.
    extract = ctx.out_dir / "extracts" / "intelligence_subjects.parquet"
    reports, mentions = _reports(ctx, rng, extract) if ctx.persons and extract.exists() else (None, None)
    events = _public_events(ctx, rng)
    counts: dict[str, int] = {}
    if reports is not None:
        with open_batch(ctx.con, SOURCE_SYSTEM) as batch:
            ctx.con.execute("DELETE FROM intel_report WHERE source_system = ?", [SOURCE_SYSTEM])
            counts["intel_report"] = _insert(ctx.con, "intel_report", reports, batch.batch_id)
            batch.rows_read = batch.rows_loaded = counts["intel_report"]
            batch.note = "generated demo intelligence: gradings and report text"
        ctx.truth_dir.mkdir(parents=True, exist_ok=True)
        mentions.to_parquet(ctx.truth_dir / "intel_mentions.parquet", index=False)
    with open_batch(ctx.con, EVENTS_SOURCE) as batch:
        ctx.con.execute("DELETE FROM public_event WHERE source_system = ?", [EVENTS_SOURCE])
        counts["public_event"] = _insert(ctx.con, "public_event", events, batch.batch_id)
        batch.rows_read = batch.rows_loaded = counts["public_event"]
        batch.note = "generated demo public events"
    return counts


def _reports(ctx: DemoContext, rng: np.random.Generator, extract) -> tuple[pd.DataFrame, pd.DataFrame]:
    subjects = pd.read_parquet(extract)
    truth = pd.read_parquet(ctx.truth_dir / "person_records.parquet",
                            columns=["source_record_id", "source_system", "true_person_id"])
    truth = truth[truth["source_system"] == SOURCE_SYSTEM].set_index("source_record_id")["true_person_id"]
    subjects["true_person_id"] = subjects["subject_ref"].map(truth)
    rows, mentions = [], []
    for report_ref, group in subjects.groupby("report_ref", sort=True):
        first = group.iloc[0]
        grading = str(first["grading"])
        assessment = GRADE_FROM_5X5["information"][grading[1]]
        if rng.random() < SHARE_SUSPECTED_FALSE:
            assessment = "E"
        conditional = rng.random() < SHARE_WITH_CONDITIONS
        text, found = _write_text(group, rng)
        event_key = f"{SOURCE_SYSTEM}:{report_ref}"
        rows.append({
            "event_key": event_key, "source_system": SOURCE_SYSTEM, "source_record_id": report_ref,
            "report_date": pd.to_datetime(first["report_date"], format="%d-%b-%Y").date(),
            "source_evaluation": GRADE_FROM_5X5["source"][grading[0]],
            "intelligence_assessment": assessment, "handling_code": "C" if conditional else "P",
            "handling_conditions": CONDITIONS[int(rng.integers(len(CONDITIONS)))] if conditional else None,
            "report_text": text,
        })
        mentions += [{"event_key": event_key, **m} for m in found]
    return pd.DataFrame(rows), pd.DataFrame(mentions)


def _write_text(group: pd.DataFrame, rng: np.random.Generator) -> tuple[str, list[dict]]:
    """The report's text about its subjects, and what it mentions (kind, value as written,
    the true person)."""
    sentences, found = [], []
    for number, subject in enumerate(group.itertuples()):
        name = _name_as_written(subject.subject_name)
        person = int(subject.true_person_id)
        if number == 0:
            sentences.append(OPENINGS[int(rng.integers(len(OPENINGS)))].format(name=name))
        else:
            sentences.append(f"{name} is believed to be an associate.")
        found.append({"kind": "name", "value": name, "true_person_id": person})
        if subject.vehicles:
            vrm = subject.vehicles.split(";")[0]
            sentences.append(f"{name} uses vehicle {vrm}.")
            found.append({"kind": "vehicle", "value": vrm, "true_person_id": person})
        if subject.phone:
            sentences.append(f"Contact number {subject.phone}.")
            found.append({"kind": "phone", "value": subject.phone, "true_person_id": person})
        if subject.last_known_address and rng.random() < 0.5:
            postcode = subject.last_known_address.rsplit(",", 1)[-1].strip()
            sentences.append(f"Frequents the area of {postcode}.")
            found.append({"kind": "postcode", "value": postcode, "true_person_id": person})
    return " ".join(sentences), found


def _name_as_written(raw: str) -> str:
    """'SMITH, John' or 'John Smith' or 'Smith' -> 'John SMITH' (how reports name people)."""
    if "," in raw:
        surname, forename = (part.strip() for part in raw.split(",", 1))
    elif " " in raw.strip():
        forename, surname = raw.strip().rsplit(" ", 1)
    else:
        forename, surname = "", raw.strip()
    return f"{forename.title()} {surname.upper()}".strip()


def _public_events(ctx: DemoContext, rng: np.random.Generator) -> pd.DataFrame:
    districts = ctx.force.areas.query("level == 'district'")["area_code"].tolist()
    home_district = districts[0]
    rows = []
    day = ctx.first_day + timedelta(days=(5 - ctx.first_day.weekday()) % 7)  # first Saturday
    opponent = 0
    while day <= ctx.as_of + timedelta(days=60):  # fixtures are planned ahead of the extract
        if day.month not in (6, 7):
            away = AWAY_CLUBS[opponent % len(AWAY_CLUBS)]
            opponent += 1
            derby = away == DERBY
            played = day <= ctx.as_of
            rows.append(_event(f"FX{day:%Y%m%d}", "football match", f"{HOME_CLUB} v {away}", HOME_GROUND,
                               home_district, day,
                               int(rng.integers(9000, 14000) if derby else rng.integers(3000, 8000))
                               if played else None, [HOME_CLUB, away]))
        day += timedelta(days=14)
    for year in range(ctx.first_day.year, ctx.as_of.year + 1):
        day = date(year, 7, 20)
        if ctx.first_day <= day <= ctx.as_of:
            rows.append(_event(f"FE{year}", "festival", FESTIVAL, FESTIVAL_VENUE,
                               districts[min(3, len(districts) - 1)], day,
                               int(rng.integers(20000, 30000)), ["Chalkshire Council"]))
    return pd.DataFrame(rows)


def _event(ref, kind, name, venue, district, day, attendance, participants) -> dict:
    return {"event_key": f"{EVENTS_SOURCE}:{ref}", "source_system": EVENTS_SOURCE,
            "source_record_id": ref, "event_kind": kind, "name": name, "venue": venue,
            "district_code": district, "event_date": day, "attendance": attendance,
            "participants": participants}

