"""The demo force's workforce (agenda item 3): its people, leadership course bookings, sickness
absence spells and wellbeing service contacts, loaded into the warehouse and also written as
the force's HR, learning and wellbeing extracts (under ``out_dir/workforce``, in the systems'
own columns and codes, which the mappings in ``peel/workforce/mappings`` read: a test loads
them that way and finds the same rows); and which of the demo crimes had an officer or member of staff as
victim (``staff_assault``, also written as the crime system's extract ``crime_victims.csv``),
picked from the crimes and outcomes the crime generator made, which are not changed.

The story is planted through the rates in ``data/workforce.yaml``, never as figures: every
sergeant booked on the frontline course from October 2025, half the inspectors on the
midline one, completion eight weeks after a course starts; sickness starting less often in a
team once its first sergeant has completed the course; trauma support extended to senior
officers in January 2026; assaults on staff fewer in 2025 than 2024, mostly solved.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peel.demo.datafiles import read_data_yaml
from peel.warehouse import open_batch
from peel.warehouse.sql import quote_identifier

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

VICTIM_SOURCE = "demo_crime_victims"
HR, LEARNING, WELLBEING = "demo_hr", "demo_learning", "demo_wellbeing"  # the mappings' source systems
DIFFICULTIES = "Unable to prosecute suspect"
LOCAL_ROLES = {"Response", "Neighbourhood", "Investigation", "Custody"}  # teams per district
RANK_CODES = {"Constable": "PC", "Sergeant": "PS", "Inspector": "INSP", "Chief Inspector": "CI",
              "Superintendent": "SUPT", "Chief Superintendent": "CSUPT", "Assistant Chief Constable": "ACC",
              "Deputy Chief Constable": "DCC", "Chief Constable": "CC", "Scale 1-3": "S1-3", "Scale 4-6": "S4-6",
              "SO1-SO2": "SO", "PO1-PO3": "PO1-3", "PO4-PO6": "PO4-6", "Senior manager": "SM"}


def generate(ctx: DemoContext) -> dict[str, int]:
    """Generate and load the workforce extracts and the staff victims; return rows per table."""
    spec = read_data_yaml("workforce.yaml")
    rng = ctx.rng("workforce")
    people = _people(ctx, spec, rng)
    courses = _courses(ctx, spec["leadership"], people, rng)
    spells = _sickness(ctx, spec["sickness"], people, courses, rng)
    contacts = _wellbeing(ctx, spec["wellbeing"], people, rng)
    folder = ctx.out_dir / "workforce"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in [("hr_staff.csv", _staff_extract(people)), ("learning_bookings.csv", _course_extract(courses)),
                        ("hr_absence.csv", _sickness_extract(spells)),
                        ("wellbeing_contacts.csv", _wellbeing_extract(contacts))]:
        frame.to_csv(folder / name, index=False)
    counts = _load_workforce(ctx, people, courses, spells, contacts)
    assaults = _assaults(ctx, spec["assaults"], people, rng)
    _victims_extract(assaults).to_csv(folder / "crime_victims.csv", index=False)
    counts["staff_assault"] = _load_assaults(ctx, assaults)
    truth = {"training_starts": spec["leadership"]["starts"], "trained_team_factor":
             spec["sickness"]["trained_team_factor"], "assaults_per_year": spec["assaults"]["per_year"],
             "assault_outcome_shares": spec["assaults"]["outcome_shares"],
             "assaults_by_year": assaults.groupby(assaults["recorded_date"].map(lambda d: d.year)).size().to_dict(),
             # Where the reduced sickness is planted (from the day its first sergeant completed the
             # course), and the teams without it: the controls.
             "trained_teams": _trained_from(courses).to_dict(),
             "untrained_teams": sorted(set(people["team"]) - set(_trained_from(courses).index))}
    ctx.truth_dir.mkdir(parents=True, exist_ok=True)
    (ctx.truth_dir / "workforce.json").write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")
    return counts


def _days(first: date, last: date) -> pd.DatetimeIndex:
    return pd.date_range(first, last, freq="D")


def _uniform_dates(rng, first: date, last: date, n: int) -> np.ndarray:
    span = max((last - first).days, 0)
    return np.array([first + timedelta(days=int(d)) for d in rng.integers(0, span + 1, n)], dtype=object)


def _people(ctx: DemoContext, spec: dict, rng) -> pd.DataFrame:
    districts = ctx.force.areas.query("level == 'district'")["area_name"].to_numpy()
    rows = []
    for rank, about in spec["people"].items():
        n = max(1, round(about["count"] * ctx.size))
        roles = list(about["roles"])
        weights = np.array(list(about["roles"].values()), dtype=float)
        role = np.array(roles)[rng.choice(len(roles), n, p=weights / weights.sum())]
        district = districts[rng.integers(len(districts), size=n)]
        team = [f"{d} {r.lower()}" if r in LOCAL_ROLES else r for d, r in zip(district, role, strict=True)]
        rows.append(pd.DataFrame({"rank_or_grade": rank, "role": role, "team": team}))
    people = pd.concat(rows, ignore_index=True)
    n = len(people)
    people["staff_id"] = [f"{100000 + i}" for i in rng.permutation(n)]
    part = rng.random(n) < spec["part_time_share"]
    people["fte"] = np.where(part, rng.choice([0.5, 0.6, 0.8, 0.9], n), 1.0)
    joined = rng.random(n) < spec["joined_during_share"]
    before = _uniform_dates(rng, ctx.first_day - timedelta(days=365 * 20), ctx.first_day - timedelta(days=1), n)
    during = _uniform_dates(rng, ctx.first_day, ctx.as_of - timedelta(days=30), n)
    people["start_date"] = np.where(joined, during, before)
    left = rng.random(n) < spec["left_share"]
    leave = [s + timedelta(days=int(rng.integers(30, 1 + max(31, (ctx.as_of - max(s, ctx.first_day)).days))))
             if is_left else None for s, is_left in zip(people["start_date"], left, strict=True)]
    people["leave_date"] = [d if d is not None and d <= ctx.as_of else None for d in leave]
    people["kind"] = people["rank_or_grade"].map({rank: about["kind"] for rank, about in spec["people"].items()})
    return people


def _in_post(people: pd.DataFrame, day: date) -> np.ndarray:
    leave = people["leave_date"].map(lambda d: d is None or d >= day).to_numpy(dtype=bool)
    return (people["start_date"].to_numpy() <= day) & leave


def _courses(ctx: DemoContext, spec: dict, people: pd.DataFrame, rng) -> pd.DataFrame:
    courses = spec["courses"]
    starts, last_day = date.fromisoformat(str(spec["starts"])), date.fromisoformat(str(spec["last_course_day"]))
    bookings_from = date.fromisoformat(str(spec["bookings_from"]))
    rows = []
    in_post = _in_post(people, ctx.as_of)
    for rank, share in spec["booked_share"].items():
        chosen = np.flatnonzero((people["rank_or_grade"].to_numpy() == rank) & in_post)
        chosen = chosen[rng.random(len(chosen)) < share]
        course_day = _uniform_dates(rng, starts, last_day, len(chosen))
        for i, day in zip(chosen, course_day, strict=True):
            booked = _uniform_dates(rng, max(bookings_from, people.at[i, "start_date"]),
                                    min(day - timedelta(days=7), ctx.as_of), 1)[0]
            done = day + timedelta(weeks=spec["weeks_to_complete"])
            rows.append({"staff_id": people.at[i, "staff_id"], "team": people.at[i, "team"],
                         "rank_or_grade": rank, "course": courses[rank], "booked_date": booked,
                         "course_date": day, "completed_date": done if done <= ctx.as_of else None})
    out = pd.DataFrame(rows)
    out["booking_ref"] = [f"LB{n:06d}" for n in range(1, len(out) + 1)]
    return out


def _sickness(ctx: DemoContext, spec: dict, people: pd.DataFrame, courses: pd.DataFrame, rng) -> pd.DataFrame:
    days = _days(ctx.first_day, ctx.as_of)
    n = len(people)
    frailty = rng.gamma(2.0, 0.5, n)
    role = people["role"].map(lambda r: spec["role_factor"].get(r, 1.0)).to_numpy(dtype=float)
    winter = np.where(days.month.isin([11, 12, 1, 2]), spec["winter_factor"], 1.0)
    rate = spec["spells_per_year"] / 365.25 * np.outer(winter, frailty * role)
    # A team's people start spells less often from the day its first sergeant completes the course.
    since = people["team"].map(_trained_from(courses))
    for team_from in since.dropna().unique():
        cols = np.flatnonzero(since.to_numpy() == team_from)
        rate[np.ix_(days >= pd.Timestamp(team_from), cols)] *= spec["trained_team_factor"]
    start = pd.to_datetime(people["start_date"]).to_numpy()
    leave = pd.to_datetime(people["leave_date"].fillna(ctx.as_of)).to_numpy()
    day_i, person = np.nonzero(rng.random(rate.shape, dtype=np.float32) < rate)
    in_post = (days.to_numpy()[day_i] >= start[person]) & (days.to_numpy()[day_i] <= leave[person])
    day_i, person = day_i[in_post], person[in_post]
    length = np.clip(np.ceil(spec["median_days"] * np.exp(spec["sigma"] * rng.standard_normal(len(day_i)))),
                     1, spec["max_days"]).astype(int)
    reasons = list(spec["reasons"])
    p = np.array(list(spec["reasons"].values()), dtype=float)
    reason = np.array(reasons)[rng.choice(len(reasons), len(day_i), p=p / p.sum())]
    rows, busy_until = [], {}
    staff_ids = people["staff_id"].to_numpy()
    leave_day = people["leave_date"].map(lambda d: d or date.max).to_numpy()
    for k in np.lexsort((day_i, person)):  # by person, then day: a new spell only after the last ends
        first = days[day_i[k]].date()
        who = int(person[k])
        if busy_until.get(who, date.min) >= first:
            continue
        last = min(first + timedelta(days=int(length[k]) - 1), leave_day[who])
        busy_until[who] = last
        rows.append((staff_ids[who], first, last if last < ctx.as_of else None, reason[k]))  # None: still absent
    out = pd.DataFrame(rows, columns=["staff_id", "start_date", "end_date", "reason"])
    out["absence_id"] = [f"AB{n:07d}" for n in range(1, len(out) + 1)]
    return out


def _trained_from(courses: pd.DataFrame) -> pd.Series:
    """Each team's first day with a sergeant who has completed the course."""
    done = courses[courses["rank_or_grade"].eq("Sergeant") & courses["completed_date"].notna()]
    return done.groupby("team")["completed_date"].min()


def _wellbeing(ctx: DemoContext, spec: dict, people: pd.DataFrame, rng) -> pd.DataFrame:
    rows = []
    start = people["start_date"].to_numpy()
    leave = people["leave_date"].map(lambda d: d or ctx.as_of).to_numpy()
    senior = people["rank_or_grade"].isin(spec["senior_ranks"]).to_numpy()
    offers = [(name, s["per_year"], date.fromisoformat(str(s["from"])), s.get("roles"), None)
              for name, s in spec["services"].items()]
    offers.append(("Trauma support", spec["senior_trauma_per_year"],
                   date.fromisoformat(str(spec["senior_trauma_from"])), None, senior))
    for service, per_year, offered, roles, only in offers:
        eligible = people["role"].isin(roles).to_numpy() if roles else np.ones(len(people), dtype=bool)
        if only is not None:
            eligible = only
        for i in np.flatnonzero(eligible):
            first = max(offered, start[i], ctx.first_day)
            span = (leave[i] - first).days
            if span <= 0:
                continue
            for day in _uniform_dates(rng, first, leave[i], rng.poisson(per_year * span / 365.25)):
                rows.append({"staff_id": people.at[i, "staff_id"], "service": service, "contact_date": day})
    # (a short demo may have no contact at all: the frame keeps its columns)
    out = pd.DataFrame(rows, columns=["staff_id", "service", "contact_date"]).sort_values(
        ["contact_date", "staff_id"], kind="stable", ignore_index=True)
    out["contact_id"] = pd.Series([f"WB{n:06d}" for n in range(1, len(out) + 1)], dtype=object)
    return out


def _fmt(day, fmt: str = "%d/%m/%Y") -> str:
    return "" if day is None or pd.isna(day) else day.strftime(fmt)


def _staff_extract(people: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"StaffNo": people["staff_id"], "RankGrade": people["rank_or_grade"].map(RANK_CODES),
                         "Role": people["role"], "Team": people["team"], "FTE": people["fte"],
                         "StartDate": people["start_date"].map(_fmt), "LeaveDate": people["leave_date"].map(_fmt)})


def _course_extract(courses: pd.DataFrame) -> pd.DataFrame:
    iso = "%Y-%m-%d"
    return pd.DataFrame({"BookingRef": courses["booking_ref"], "StaffNumber": courses["staff_id"],
                         "CourseTitle": courses["course"], "Booked": courses["booked_date"].map(lambda d: _fmt(d, iso)),
                         "CourseStarts": courses["course_date"].map(lambda d: _fmt(d, iso)),
                         "Completed": courses["completed_date"].map(lambda d: _fmt(d, iso))})


def _sickness_extract(spells: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"AbsenceId": spells["absence_id"], "StaffNo": spells["staff_id"],
                         "FirstDayAbsent": spells["start_date"].map(_fmt),
                         "LastDayAbsent": spells["end_date"].map(_fmt), "Reason": spells["reason"]})


def _wellbeing_extract(contacts: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"ContactId": contacts["contact_id"], "StaffNo": contacts["staff_id"],
                         "Service": contacts["service"], "ContactDate": contacts["contact_date"].map(_fmt)})


def _victims_extract(assaults: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"CrimeRef": assaults["source_record_id"],
                         "VictimStaffNo": assaults["staff_key"].map(lambda k: k.split(":", 1)[1] if k else None),
                         "VictimType": assaults["victim_kind"].str.upper(), "Legislation": assaults["legislation"],
                         "OutcomeCode": assaults["ho_outcome_code"], "AttritionReason": assaults["attrition_reason"]})


def _classify(ctx: DemoContext, crimes: pd.DataFrame) -> np.ndarray:
    """Each candidate crime's state as known on the extraction date."""
    outcomes = ctx.data.outcomes[ctx.data.outcomes["crime_key"].isin(crimes["crime_key"])]
    final = outcomes[outcomes["outcome_type"] != "Under investigation"]
    keys = crimes["crime_key"]
    solved = keys.isin(outcomes.loc[outcomes["is_positive"], "crime_key"]).to_numpy()
    difficulties = keys.isin(final.loc[final["outcome_type"] == DIFFICULTIES, "crime_key"]).to_numpy()
    closed = keys.isin(final["crime_key"]).to_numpy()
    return np.select([solved, difficulties, closed], ["solved", "difficulties", "other"], "pending")


def _assaults(ctx: DemoContext, spec: dict, people: pd.DataFrame, rng) -> pd.DataFrame:
    crimes = ctx.data.crimes
    crimes = crimes[crimes["offence_code"].isin([str(c) for c in spec["offence_codes"]])].copy()
    crimes["state"] = _classify(ctx, crimes)
    groups = ["solved", "difficulties", "other"]
    shares = np.array([spec["outcome_shares"][g] for g in groups], dtype=float)
    picked = []
    for first, in_month in crimes.groupby("month", sort=True):
        year, days_in = first.year, pd.Period(first, freq="M").days_in_month
        # The last month is covered only to the last day with records.
        covered = (ctx.last_day.day if (year, first.month) == (ctx.last_day.year, ctx.last_day.month)
                   else days_in)
        mean = spec["per_year"].get(year, spec["per_year"][max(spec["per_year"])]) / 12 * ctx.size * covered / days_in
        pending = float((in_month["state"] == "pending").mean())
        p = np.append(shares / shares.sum() * (1 - pending), pending)
        wanted = rng.multinomial(rng.poisson(mean), p)
        for state, k in zip([*groups, "pending"], wanted, strict=True):
            pool = in_month.index[in_month["state"] == state]
            picked.extend(rng.choice(pool, size=min(k, len(pool)), replace=False))
    chosen = crimes.loc[sorted(picked)].copy()
    officers = np.flatnonzero(people["rank_or_grade"].isin(["Constable", "Sergeant"]).to_numpy())
    staff = np.flatnonzero(people["role"].isin(["Custody", "Control room"]).to_numpy()
                           & people["kind"].eq("staff").to_numpy())
    is_staff = rng.random(len(chosen)) < spec["staff_share"]
    start = people["start_date"].to_numpy()
    leave = people["leave_date"].map(lambda d: d or date.max).to_numpy()
    victims = []
    for day, as_staff in zip(chosen["recorded_date"], is_staff, strict=True):
        pool = staff if as_staff else officers
        pool = pool[(start[pool] <= day) & (leave[pool] >= day)]  # in post that day
        victims.append(people.at[int(rng.choice(pool)), "staff_id"] if len(pool) else None)
    chosen["staff_key"] = ["demo_hr:" + v if v else None for v in victims]
    chosen["victim_kind"] = np.where(is_staff, "staff", "officer")
    chosen["legislation"] = chosen["offence_code"].map(lambda c: spec["offence_codes"][c])
    codes = list(spec["difficulties"])
    q = np.array(list(spec["difficulties"].values()), dtype=float)
    hard = chosen["state"].eq("difficulties").to_numpy()
    code = np.where(hard, np.array(codes)[rng.choice(len(codes), len(chosen), p=q / q.sum())], None)
    reason = [_draw(rng, spec[f"reasons_{c}"]) if c else None for c in code]
    chosen["ho_outcome_code"], chosen["attrition_reason"] = code, reason
    return chosen


def _draw(rng, weighted: dict) -> str:
    names = list(weighted)
    p = np.array(list(weighted.values()), dtype=float)
    return names[rng.choice(len(names), p=p / p.sum())]


def _load_workforce(ctx: DemoContext, people, courses, spells, contacts) -> dict[str, int]:
    """Replace the demo HR, learning and wellbeing systems' rows, one batch per system."""
    staff_key = HR + ":" + people["staff_id"]
    by_number = dict(zip(people["staff_id"], staff_key, strict=True))
    tables = {
        HR: [("staff_member", pd.DataFrame({
                "staff_key": staff_key, "source_record_id": people["staff_id"], "kind": people["kind"],
                "rank_or_grade": people["rank_or_grade"], "role": people["role"], "team": people["team"],
                "fte": people["fte"], "start_date": people["start_date"], "leave_date": people["leave_date"]})),
             ("sickness_spell", pd.DataFrame({
                "spell_key": HR + ":" + spells["absence_id"], "source_record_id": spells["absence_id"],
                "staff_key": spells["staff_id"].map(by_number), "start_date": spells["start_date"],
                "end_date": spells["end_date"], "reason": spells["reason"]}))],
        LEARNING: [("leadership_course", pd.DataFrame({
                "booking_key": LEARNING + ":" + courses["booking_ref"], "source_record_id": courses["booking_ref"],
                "staff_key": courses["staff_id"].map(by_number), "course": courses["course"],
                "booked_date": courses["booked_date"], "course_date": courses["course_date"],
                "completed_date": courses["completed_date"]}))],
        WELLBEING: [("wellbeing_contact", pd.DataFrame({
                "contact_key": WELLBEING + ":" + contacts["contact_id"], "source_record_id": contacts["contact_id"],
                "staff_key": contacts["staff_id"].map(by_number), "service": contacts["service"],
                "contact_date": contacts["contact_date"]}))],
    }
    counts = {}
    for system, frames in tables.items():
        with open_batch(ctx.con, system) as batch:
            for table, frame in frames:
                counts[table] = _replace(ctx, table, system, frame.assign(source_system=system), batch.batch_id)
            batch.rows_read = batch.rows_loaded = sum(len(f) for _, f in frames)
            batch.note = "generated demo force: " + ", ".join(f"{len(f):,} {t}" for t, f in frames)
    return counts


def _replace(ctx: DemoContext, table: str, system: str, frame: pd.DataFrame, batch_id: int) -> int:
    """Replace ``system``'s rows of ``table`` with ``frame`` (one bulk insert)."""
    ctx.con.execute(f"DELETE FROM {quote_identifier(table)} WHERE source_system = ?", [system])
    columns = ", ".join(quote_identifier(c) for c in frame.columns)
    ctx.con.register("_workforce_frame", frame)
    try:
        ctx.con.execute(f"INSERT INTO {quote_identifier(table)} ({columns}, batch_id) "
                        f"SELECT {columns}, ? FROM _workforce_frame", [batch_id])
    finally:
        ctx.con.unregister("_workforce_frame")
    return len(frame)


def _load_assaults(ctx: DemoContext, assaults: pd.DataFrame) -> int:
    frame = pd.DataFrame({"crime_key": assaults["crime_key"], "source_system": VICTIM_SOURCE,
                          "source_record_id": assaults["source_record_id"], "staff_key": assaults["staff_key"],
                          "victim_kind": assaults["victim_kind"], "legislation": assaults["legislation"],
                          "ho_outcome_code": assaults["ho_outcome_code"],
                          "attrition_reason": assaults["attrition_reason"]})
    with open_batch(ctx.con, VICTIM_SOURCE) as batch:
        count = _replace(ctx, "staff_assault", VICTIM_SOURCE, frame, batch.batch_id)
        batch.rows_read = batch.rows_loaded = count
        batch.note = f"generated demo force: {count:,} crimes with a police victim"
    return count
