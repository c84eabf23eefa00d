"""Clare's Law in the demo force: the history of its applications (Right to Ask and Right to
Know, every stage dated), and the Right to Know situations planted in its persons for
recognition to find, with controls it must not raise.

The applications come from the monthly rates in ``data/dvds.yaml``: Right to Know requests
rise because a recognised stream starts on the force's ``PEEL_DVDS_RECOGNITION_STARTED`` day, so the
meeting note's before/after story is the data's, not a constant's.

The planted situations are drawn from the demo persons' truth (``truth/persons.parquet``): a
person who abused a previous partner (a domestic abuse record, the person as suspect) is later
recorded with a new partner: at the same address, in a new incident together, or in an
intelligence report on the relationship. They are written as the force's public-protection
system would record them (``demo_public_protection``), with the usual slips, so that linkage
must join them to find them. The truth (``truth/dvds_situations.json``) is never loaded.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peel.demo.datafiles import read_data_yaml
from peel.demo.load import _insert
from peel.dvds.figures import recognition_started
from peel.warehouse import open_batch

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

APPLICATIONS_SOURCE = "demo_dvds"
PROTECTION_SOURCE = "demo_public_protection"
TRUTH_FILE = "dvds_situations.json"


class _NoPersonLeft(Exception):
    """Every person a situation could use is taken."""


def _as_many_as_fit(plants) -> list:
    planted = []
    for plant in plants:
        try:
            planted.append(plant())
        except _NoPersonLeft:
            break
    return planted
# The route and origin of each stream of requests.
STREAMS = {
    "right_to_ask": ("right_to_ask", None),  # origin: applicant or third party, drawn
    "right_to_know": ("right_to_know", "police_information"),
    "recognised": ("right_to_know", "recognition"),
}
STAGES = ("checks_done", "face_to_face", "risk_assessed", "decided", "disclosed", "safety_plan")
HISTORY_CATEGORY = "DOMESTIC ABUSE"  # how the protection system flags an abuse record
CONTROL_KINDS = ("same_partner", "no_history", "victim_history", "relative")


def read_parameters() -> dict:
    return read_data_yaml("dvds.yaml")


def generate(ctx: DemoContext) -> dict[str, int]:
    """Load the applications, and (when the persons ran) the planted situations."""
    cfg = read_parameters()
    rng = ctx.rng("dvds")
    apps = draw_applications(cfg, rng, ctx.as_of, ctx.size, _districts(ctx))
    with open_batch(ctx.con, APPLICATIONS_SOURCE) as batch:
        ctx.con.execute("DELETE FROM dvds_application WHERE source_system = ?", [APPLICATIONS_SOURCE])
        counts = {"dvds_application": _insert(ctx.con, "dvds_application", apps, batch.batch_id)}
        batch.rows_read = batch.rows_loaded = counts["dvds_application"]
        batch.note = f"generated demo force: {len(apps):,} Clare's Law applications"
    if ctx.persons:
        counts |= plant_situations(ctx, cfg, ctx.rng("dvds-planted"))
    return counts


def _districts(ctx: DemoContext) -> np.ndarray:
    areas = ctx.force.areas
    return areas.loc[areas["level"] == "district", "area_code"].to_numpy()


def draw_applications(cfg: dict, rng: np.random.Generator, as_of: date, size: float,
                      districts: np.ndarray) -> pd.DataFrame:
    """Every application from ``history_start`` to ``as_of``, its stages drawn and cut at ``as_of``."""
    start, started = cfg["history_start"], recognition_started()
    rows = []
    month = start.replace(day=1)
    while month <= as_of:
        following = (month + timedelta(days=32)).replace(day=1)
        days = (min(following, as_of + timedelta(days=1)) - month).days
        share = days / (following - month).days  # the month as far as the data reaches
        for stream, rate in cfg["monthly"].items():
            if stream == "recognised" and month < started.replace(day=1):
                continue
            n = rng.poisson(rate * size * share)
            first = pd.Timestamp(month) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
            if stream == "recognised":
                first = first[first >= pd.Timestamp(started)]
            rows.extend((stream, d.date()) for d in first)
        month = following
    frame = pd.DataFrame(rows, columns=["stream", "first_contact"]).sort_values(
        "first_contact", kind="stable").reset_index(drop=True)
    return _draw_stages(frame, cfg, rng, as_of, districts)


def _draw_stages(frame: pd.DataFrame, cfg: dict, rng: np.random.Generator, as_of: date,
                 districts: np.ndarray) -> pd.DataFrame:
    n = len(frame)
    stream = frame["stream"].to_numpy()
    route = np.array([STREAMS[s][0] for s in stream])
    third = rng.random(n) < cfg["right_to_ask_third_party_share"]
    origin = np.array([STREAMS[s][1] or ("third_party" if t else "applicant") for s, t in zip(stream, third)])
    became = rng.random(n) < np.array([cfg["became_case"][s] for s in stream])
    outcomes = list(cfg["decision_shares"])
    decision = np.array(outcomes)[rng.choice(len(outcomes), n, p=list(cfg["decision_shares"].values()))]
    delayed = rng.random(n) < cfg["delay_share"]
    delay_stage = np.array(list(cfg["delay_reasons"]))[rng.integers(0, len(cfg["delay_reasons"]), n)]
    low, high = cfg["delay_days"]
    delay = rng.integers(low, high + 1, n)
    steps = {stage: rng.poisson(mean, n) + (1 if stage in ("checks_done", "decided") else 0)
             for stage, mean in cfg["stage_days"].items()}
    first = pd.to_datetime(frame["first_contact"]).to_numpy()
    cut = np.datetime64(as_of)
    out = {s: np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]") for s in STAGES}
    at = first.copy()
    for stage in STAGES:
        extra = np.where(delayed & (delay_stage == stage), delay, 0)
        at = at + (steps[stage] + extra).astype("timedelta64[D]")
        reached = at <= cut
        if stage != "checks_done":
            reached &= became
        if stage in ("disclosed", "safety_plan"):
            reached &= decision == "disclose"
        out[stage] = np.where(reached, at, np.datetime64("NaT"))
    decided = ~pd.isna(out["decided"])
    # A request the checks turned away closes with them; a case with its last stage.
    last = np.where(decision == "disclose", out["safety_plan"], out["decided"])
    closed = np.where(became, last, out["checks_done"])
    took = (pd.to_datetime(closed) - pd.to_datetime(first)).days.to_numpy()
    late = became & (~pd.isna(closed)) & (took > 28)
    reason = np.where(late & delayed, [cfg["delay_reasons"][s] for s in delay_stage], None)
    reason = np.where(late & ~delayed, "stages took longer than planned", reason)
    source_id = [f"DV{d:%Y}{i:06d}" for i, d in enumerate(frame["first_contact"], 1)]
    apps = pd.DataFrame({
        "application_key": [f"{APPLICATIONS_SOURCE}:{s}" for s in source_id],
        "source_system": APPLICATIONS_SOURCE, "source_record_id": source_id,
        "route": route, "origin": origin,
        "district_code": districts[rng.integers(0, len(districts), n)] if len(districts) else None,
        "first_contact": frame["first_contact"], "checks_done": out["checks_done"], "became_case": became,
        **{s: out[s] for s in STAGES[1:]},
        "decision": np.where(became & decided, decision, np.where(~became & ~pd.isna(out["checks_done"]),
                                                                  "no_disclosure", None)),
        "closed": closed, "breach_reason": reason,
    })
    for column in (*STAGES, "closed"):
        apps[column] = pd.to_datetime(apps[column]).dt.date
    return apps[["application_key", "source_system", "source_record_id", "route", "origin", "district_code",
                 "first_contact", "checks_done", "became_case", *STAGES[1:4], "decision", "disclosed",
                 "safety_plan", "closed", "breach_reason"]]


# ---- the planted Right to Know situations ------------------------------------------------

def plant_situations(ctx: DemoContext, cfg: dict, rng: np.random.Generator) -> dict[str, int]:
    """Write the situations and controls into the warehouse, and their truth apart."""
    spec = cfg["planted"]
    persons = pd.read_parquet(ctx.truth_dir / "persons.parquet")
    addresses = pd.read_parquet(ctx.truth_dir / "addresses.parquet")
    home = addresses.sort_values("address_seq").groupby("true_person_id").last()
    age = (pd.Timestamp(ctx.as_of) - persons["date_of_birth"]).dt.days / 365.25
    # Persons the other systems never recorded, nor anyone in their household: the planted records are then all there is about
    # them, so the truth holds every situation the data shows (docs/dvds.md, "The planted truth").
    recorded = pd.read_parquet(ctx.truth_dir / "person_records.parquet", columns=["true_person_id"])
    households = persons.loc[persons["true_person_id"].isin(recorded["true_person_id"]), "household_id"]
    unrecorded = ~persons["household_id"].isin(households)  # nor anyone they live with
    adults = persons[(age >= 18) & (age <= 75) & unrecorded].set_index("true_person_id")
    n_situations = max(spec["minimum"], round(len(persons) / 1000 * spec["situations_per_1000"]))
    n_controls = max(spec["minimum"] // 2, round(len(persons) / 1000 * spec["controls_per_1000"]))
    plan = Planter(ctx, spec, rng, adults, home)
    # A small demo (--size 0.02) has too few unrecorded persons for them all: plant what fits.
    truth = _as_many_as_fit([plan.situation] * n_situations)
    truth += _as_many_as_fit([lambda kind=kind: plan.control(kind) for kind in CONTROL_KINDS
                              for _ in range(n_controls)])
    tables = plan.tables()
    ctx.claimed.update(plan.used)
    with open_batch(ctx.con, PROTECTION_SOURCE) as batch:
        for table in ("pole_link", "person_record", "event"):
            ctx.con.execute(f"DELETE FROM {table} WHERE source_system = ?", [PROTECTION_SOURCE])
        counts = {f"{table} ({PROTECTION_SOURCE})": _insert(ctx.con, table, frame, batch.batch_id)
                  for table, frame in tables.items()}
        batch.rows_read = batch.rows_loaded = sum(counts.values())
        batch.note = f"generated demo force: {n_situations} Right to Know situations and their controls"
    ctx.truth_dir.mkdir(parents=True, exist_ok=True)
    (ctx.truth_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=1, default=str), encoding="utf-8")
    return counts


class Planter:
    """Draws persons for each situation and writes their records, remembering who is used."""

    def __init__(self, ctx: DemoContext, spec: dict, rng: np.random.Generator, adults: pd.DataFrame,
                 home: pd.DataFrame) -> None:
        self.ctx, self.spec, self.rng, self.adults, self.home = ctx, spec, rng, adults, home
        self.dob = adults["date_of_birth"]
        self.used: set[int] = set()
        self.records: list[dict] = []
        self.events: list[dict] = []
        self.links: list[dict] = []
        self.number = 0

    # Who
    def _person(self, sex: str | None = None, near_dob: pd.Timestamp | None = None) -> int:
        pool = self.adults.index if sex is None else self.adults.index[self.adults["sex"] == sex]
        if near_dob is not None:  # the closest free person to that birth date
            gaps = (self.dob.loc[pool] - near_dob).abs().sort_values()
            pool = gaps.index[:60]
        for _ in range(200):
            pid = int(pool[self.rng.integers(0, len(pool))])
            if pid not in self.used:
                self.used.add(pid)
                return pid
        raise _NoPersonLeft

    def _partner_of(self, pid: int, gap_years: float) -> int:
        other = "F" if self.adults.at[pid, "sex"] == "M" else "M"
        return self._person(other, self.dob.at[pid] - pd.Timedelta(days=gap_years * 365.25))

    # When
    def _day(self, low: date, high: date) -> date:
        return low + timedelta(days=int(self.rng.integers(0, max((high - low).days, 1))))

    def _dates(self) -> tuple[date, date]:
        history = self._day(date(2019, 1, 1), date(2024, 6, 30))
        new = self._day(max(history + timedelta(days=90), date(2024, 7, 1)), self.ctx.as_of)
        return history, new

    # What is recorded
    def _event(self, when: date, event_type: str, category: str, people: list[tuple[int, str, int]]) -> list[str]:
        """One event with a record per (person, role, whose address); returns the record keys."""
        self.number += 1
        event_key = f"{PROTECTION_SOURCE}:E{self.number:07d}"
        self.events.append({"event_key": event_key, "event_type": event_type, "source_system": PROTECTION_SOURCE,
                            "source_record_id": f"E{self.number:07d}", "event_date": when,
                            "district_code": None, "lsoa_code": None, "category": category, "summary": None})
        return [self._record(pid, role, event_key, when, at) for pid, role, at in people]

    def _record(self, pid: int, role: str, event_key: str, when: date, at: int) -> str:
        person, address = self.adults.loc[pid], self.home.loc[at]
        slips, rng = self.spec["errors"], self.rng
        surname = person["surname"]
        if rng.random() < slips["surname_typo"] and len(surname) > 3:
            i = int(rng.integers(1, len(surname) - 1))
            surname = surname[:i] + surname[i + 1] + surname[i] + surname[i + 2:]
        dob = person["date_of_birth"].date()
        if rng.random() < slips["dob_missing"]:
            dob = None
        elif rng.random() < slips["dob_day_month_swap"] and dob.day <= 12:
            dob = dob.replace(day=dob.month, month=dob.day)
        source_id = f"P{len(self.records) + 1:07d}"
        key = f"{PROTECTION_SOURCE}:{source_id}"
        number = str(address["house_number"])
        self.records.append({
            "record_key": key, "source_system": PROTECTION_SOURCE, "source_record_id": source_id,
            "forename": person["forename"], "middle_names": person["middle_name"], "surname": surname,
            "full_name_raw": None, "date_of_birth": dob, "date_of_birth_raw": dob and dob.isoformat(),
            "sex": person["sex"], "house_number": number, "street": address["street"],
            "town": address["town"], "postcode": address["postcode"],
            "address_raw": f"{number} {address['street']}, {address['town']}, {address['postcode']}",
            "phone": person["phone"], "email": None, "pnc_id": person["pnc_id"], "role": role,
            "event_key": event_key, "recorded_date": when})
        for link_type, to_kind, to_key in ((role, "event", event_key),
                                           ("resides_at", "address", f"{address['postcode']} / {number}")):
            self.links.append({"from_kind": "person_record", "from_key": key, "link_type": link_type,
                               "to_kind": to_kind, "to_key": to_key, "valid_from": when, "valid_to": None,
                               "source_system": PROTECTION_SOURCE, "source_record_id": source_id})
        return key

    def _history(self, pid: int, victim: int, when: date, as_suspect: bool = True) -> list[str]:
        roles = ("suspect", "victim") if as_suspect else ("victim", "suspect")
        return self._event(when, "incident", HISTORY_CATEGORY, [(pid, roles[0], pid), (victim, roles[1], victim)])

    def _evidence(self, kind: str, pid: int, partner: int, when: date) -> tuple[list[str], list[str]]:
        """The records that show ``pid`` with ``partner``: (the person's, the partner's)."""
        if kind == "shared_address":  # each recorded at the partner's address, apart
            mine = self._event(when, "incident", "ROAD RELATED", [(pid, "subject", partner)])
            theirs = self._event(self._day(when - timedelta(days=60), when), "incident", "ASB - NUISANCE",
                                 [(partner, "caller", partner)])
            return mine, theirs
        if kind == "joint_incident":
            keys = self._event(when, "incident", "DOMESTIC INCIDENT", [(pid, "subject", pid), (partner, "caller", partner)])
        else:
            keys = self._event(when, "intelligence", "RELATIONSHIP", [(pid, "subject", pid), (partner, "subject", partner)])
        return keys[:1], keys[1:]

    def _outcome(self, kind: str, pid: int, previous: int, partner: int, history: date, new: date,
                 evidence: list[str], history_keys: list[str], reached: bool) -> dict:
        mine, theirs = list(history_keys[:1]), []
        if reached:
            for item in evidence:
                a, b = self._evidence(item, pid, partner, new)
                mine += a
                theirs += b
        return {"kind": kind, "person": pid, "previous_partner": previous, "new_partner": partner,
                "history_date": history, "new_date": new, "evidence": evidence, "reached_data": reached,
                "person_records": mine, "partner_records": theirs}

    def situation(self) -> dict:
        pid = self._person()
        previous = self._partner_of(pid, self.rng.uniform(*self.spec["partner_age_gap"]))
        partner = self._partner_of(pid, self.rng.uniform(*self.spec["partner_age_gap"]))
        history, new = self._dates()
        keys = self._history(pid, previous, history)
        shares = self.spec["evidence_shares"]
        evidence = [k for k, share in shares.items() if self.rng.random() < share] or [
            list(shares)[int(self.rng.integers(0, len(shares)))]]
        reached = self.rng.random() >= self.spec["never_reached_share"]
        if not reached:
            new = self._day(self.ctx.as_of + timedelta(days=1), self.ctx.as_of + timedelta(days=60))
        return self._outcome("situation", pid, previous, partner, history, new, evidence, keys, reached)

    def control(self, kind: str) -> dict:
        pid = self._person()
        previous = self._partner_of(pid, self.rng.uniform(*self.spec["partner_age_gap"]))
        history, new = self._dates()
        if kind == "same_partner":  # the same partner again: no new relationship
            keys = self._history(pid, previous, history)
            return self._outcome(kind, pid, previous, previous, history, new, ["joint_incident"], keys, True)
        if kind == "relative":  # moved in with a parent or grown child, not a partner
            gap = self.spec["relative_age_gap"] + self.rng.uniform(0, 8)
            older = self.dob.at[pid] > pd.Timestamp(self.ctx.as_of) - pd.Timedelta(days=45 * 365.25)
            offset = pd.Timedelta(days=gap * 365.25)  # a parent when the person is young, else a child
            relative = self._person(near_dob=self.dob.at[pid] - offset if older else self.dob.at[pid] + offset)
            keys = self._history(pid, previous, history)
            return self._outcome(kind, pid, previous, relative, history, new, ["shared_address"], keys, True)
        partner = self._partner_of(pid, self.rng.uniform(*self.spec["partner_age_gap"]))
        if kind == "victim_history":  # the person was the one abused
            keys = self._history(pid, previous, history, as_suspect=False)
        else:  # no_history: a record, but not of domestic abuse
            keys = self._event(history, "incident", "ASB - NUISANCE", [(pid, "subject", pid)])
        return self._outcome(kind, pid, previous, partner, history, new, ["joint_incident", "intelligence"], keys, True)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"person_record": pd.DataFrame(self.records), "event": pd.DataFrame(self.events),
                "pole_link": pd.DataFrame(self.links)}
