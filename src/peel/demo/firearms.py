"""The demo force's firearms licensing: a register of holders, their certificates, the renewal
queue worked week by week, the licensing inbox, the action plan, and the safeguarding truth.

The March 2026 backlog is what the queue leaves: each week the officers on strength decide as
many applications as their rate allows, oldest due first (a share of simple renewals out of
turn), an application waiting for its GP's medical reply cannot be decided, and a few replies
take years. The rates are in ``data/firearms.yaml``; nothing here knows the note's figures.

Holders are drawn from the demo persons (when they ran), so linkage can find them in crimes,
incidents and intelligence. The safeguarding truth (``truth/firearms_holders.parquet``): the
holders drawn because they, or someone in their household, were a crime suspect, in a
domestic incident or the subject of an intelligence report of a reliable grading, or someone
who lived at their address was; and a
control group drawn among victims and callers only, who must not be raised. "At their
address": the record was made while its person lived at the holder's current address.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peel.demo.datafiles import read_data_yaml
from peel.firearms.rules import (
    CONCERNING_GRADINGS,
    DOMESTIC_INCIDENT,
    EXTENSION_LIMIT,
    PERMIT_DEFAULT,
    REVOCATION_SECTIONS,
)
from peel.warehouse import open_batch
from peel.warehouse.sql import quote_identifier

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

SOURCE = "demo_firearms"
MAPPING = Path(__file__).resolve().parent.parent / "firearms" / "mappings" / "demo_firearms_holders.yaml"
HOLDERS_FILE = "firearms_holders.csv"
TRUTH_FILE = "firearms_holders.parquet"
TABLES = ("firearms_holder", "firearms_certificate", "firearms_application", "firearms_stage_event",
          "firearms_mail", "firearms_policy")


def generate(ctx: DemoContext) -> dict[str, int]:
    """Generate and load the register, the queue, the inbox and the action plan."""
    p = read_data_yaml("firearms.yaml")
    rng = ctx.rng("firearms")
    n = max(200, round(p["holders_per_size"] * ctx.size))
    holders, truth = draw_holders(ctx, p, rng, n)
    apps = draw_applications(p, rng, holders, ctx.size, ctx.as_of)
    simulate_queue(p, rng, apps, ctx.as_of, ctx.size)
    certs = issue_certificates(p, rng, holders, apps, ctx.as_of)
    events = stage_events(rng, apps, ctx.as_of)
    frames = {
        "firearms_holder": holders[["holder_ref", "record_key", "registered_date"]],
        "firearms_certificate": certs,
        "firearms_application": apps.drop(columns=["priority", "ready", "picked", "holder_kind"]),
        "firearms_stage_event": events,
        "firearms_mail": draw_mail(p, rng, ctx.size, ctx.as_of),
        "firearms_policy": draw_policies(p, rng, ctx.as_of),
    }
    counts = _load(ctx, holders, frames)
    if truth is not None:
        ctx.truth_dir.mkdir(parents=True, exist_ok=True)
        truth.to_parquet(ctx.truth_dir / TRUTH_FILE, index=False)
    return counts


def concerning_persons(ctx: DemoContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From the persons' truth and the events they were recorded in: each true person's
    concerning records (why), and every person with any record (to draw controls from)."""
    records = pd.read_parquet(ctx.truth_dir / "person_records.parquet",
                              columns=["record_key", "true_person_id", "source_system", "role", "true_address_id"])
    ctx.con.register("_fa_truth", records)
    try:
        found = ctx.con.execute(
            """SELECT t.record_key, t.true_person_id, t.true_address_id, t.source_system, t.role, e.category
               FROM _fa_truth t JOIN person_record p USING (record_key)
               LEFT JOIN event e ON e.event_key = p.event_key""").df()
    finally:
        ctx.con.unregister("_fa_truth")
    why = np.select(
        [(found.source_system == "demo_crime_records") & (found.role == "suspect"),
         (found.source_system == "demo_incidents") & (found.category == DOMESTIC_INCIDENT),
         (found.source_system == "demo_intelligence") & found.category.isin(CONCERNING_GRADINGS)],
        ["crime suspect", "domestic incident", "intelligence"], default="")
    return found[why != ""].assign(why=why[why != ""]), found


def draw_holders(ctx: DemoContext, p: dict, rng, n: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The holders (with their details when the persons ran) and the safeguarding truth."""
    refs = [f"FH{i:06d}" for i in range(1, n + 1)]
    registered = pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 11000, n), unit="D")
    base = pd.DataFrame({"holder_ref": refs, "record_key": [f"{SOURCE}:{r}" for r in refs],
                         "registered_date": registered.date})
    truth_files = [ctx.truth_dir / f"{name}.parquet" for name in ("persons", "addresses", "person_records")]
    if not ctx.persons or not all(path.exists() for path in truth_files):
        return base, None  # no persons to draw holders from: a register of references only
    persons = pd.read_parquet(ctx.truth_dir / "persons.parquet")
    addresses = pd.read_parquet(ctx.truth_dir / "addresses.parquet")
    concern, recorded = concerning_persons(ctx)
    own = concern.groupby("true_person_id")["why"].agg(lambda w: "; ".join(sorted(set(w))))
    # "At their address": anyone whose concerning record was made while they lived at the
    # holder's current address (house, street, town) - the record's true address, whatever
    # the record itself says.
    addresses = addresses.assign(place=addresses.house_number.astype(str) + "|" + addresses.street
                                 + "|" + addresses.town)
    made_at = concern.merge(addresses[["address_id", "place"]], left_on="true_address_id", right_on="address_id")
    place_why = made_at.groupby("place")["why"].agg(lambda w: "; ".join(sorted(set(w))))
    current = addresses[addresses.valid_to.isna()].sort_values("address_seq").drop_duplicates("true_person_id", keep="last")
    home_why = current.set_index("true_person_id")["place"].map(place_why)
    own_records = concern.groupby("true_person_id")["record_key"].agg(lambda k: " ".join(sorted(k)))
    place_records = made_at.groupby("place")["record_key"].agg(lambda k: " ".join(sorted(k)))
    home_records = current.set_index("true_person_id")["place"].map(place_records)
    # Leave alone the persons another generator planted records about, their households and
    # anyone living where they do (see DemoContext.claimed): those records are in no truth here.
    claimed = persons.loc[persons.true_person_id.isin(ctx.claimed), "household_id"]
    claimed_places = set(addresses.loc[addresses.true_person_id.isin(ctx.claimed), "place"])
    home_place = current.set_index("true_person_id")["place"]
    adult = persons[(persons.date_of_birth <= pd.Timestamp(ctx.as_of) - pd.DateOffset(years=21))
                    & ~persons.household_id.isin(claimed)
                    & ~persons.true_person_id.map(home_place).isin(claimed_places)]
    in_bad = adult.true_person_id.isin(own.index) | adult.true_person_id.map(home_why).notna()
    victims_only = adult.true_person_id.isin(recorded.true_person_id) & ~in_bad
    n_concern, n_control = round(n * p["concern_share"]), round(n * p["control_share"])
    pick = lambda pool, k: pool.true_person_id.to_numpy()[rng.choice(len(pool), min(k, len(pool)), replace=False)]
    concern_ids = pick(adult[in_bad], n_concern)
    control_ids = pick(adult[victims_only], n_control)
    taken = set(concern_ids) | set(control_ids)
    rest = adult[~in_bad & ~adult.true_person_id.isin(taken)]
    other_ids = pick(rest, n - len(taken))
    chosen = np.concatenate([concern_ids, control_ids, other_ids])
    group = ["concern"] * len(concern_ids) + ["control"] * len(control_ids) + ["other"] * len(other_ids)
    rng.shuffle(order := np.arange(len(chosen)))
    chosen, group = chosen[order], np.array(group)[order]
    holders = base.iloc[: len(chosen)].copy()
    holders["true_person_id"] = chosen
    holders = holders.merge(persons, on="true_person_id", how="left").merge(
        current[["true_person_id", "address_id", "house_number", "street", "town", "postcode"]],
        on="true_person_id", how="left")
    truth = pd.DataFrame({
        "holder_ref": holders.holder_ref, "true_person_id": holders.true_person_id, "group": group,
        "own_concern": holders.true_person_id.map(own).fillna(""),
        "address_concern": holders.true_person_id.map(home_why).fillna(""),
        "records": (holders.true_person_id.map(own_records).fillna("") + " "
                    + holders.true_person_id.map(home_records).fillna("")).str.split().map(sorted).map(
                        lambda keys: " ".join(dict.fromkeys(keys))),
    })
    truth["should_raise"] = truth.group == "concern"
    return holders, truth


def draw_applications(p: dict, rng, holders: pd.DataFrame, size: float, as_of: date) -> pd.DataFrame:
    """One renewal per holder falling due from ``first_due`` over five years, the next cycle's
    renewals already received by ``as_of``, and the grants and variations arriving weekly."""
    n = len(holders)
    first = pd.Timestamp(p["first_due"])
    due = first + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    kind = rng.choice(list(p["shares"]), n, p=list(p["shares"].values()))
    lo, hi = p["lead_weeks"]
    lead = pd.to_timedelta(rng.integers(lo * 7, hi * 7, n), unit="D")
    late = rng.random(n) < p["late_share"]
    lead = lead.where(~late, -pd.to_timedelta(rng.integers(1, 60, n), unit="D"))
    renewals = pd.DataFrame({"holder_ref": holders.holder_ref, "kind": "renewal",
                             "certificate_kind": kind, "received_date": due - lead, "due_date": due})
    weeks = int((pd.Timestamp(as_of) - first).days / 7)
    others = []
    for k, rate in (("grant", p["grants_per_week"]), ("variation", p["variations_per_week"])):
        m = int(rng.poisson(rate * size * weeks))
        others.append(pd.DataFrame({
            "holder_ref": holders.holder_ref.to_numpy()[rng.integers(0, n, m)], "kind": k,
            "certificate_kind": rng.choice(["firearm", "shotgun"], m),
            "received_date": first + pd.to_timedelta(rng.integers(0, weeks * 7, m), unit="D"),
            "due_date": pd.NaT}))
    apps = pd.concat([renewals, *others], ignore_index=True)
    apps = apps[apps.received_date <= pd.Timestamp(as_of)].reset_index(drop=True)
    medical = rng.lognormal(np.log(p["medical_weeks_median"] * 7), 0.6, len(apps))
    stuck = rng.random(len(apps)) < p["stuck_share"]
    medical[stuck] = rng.uniform(*p["stuck_years"], stuck.sum()) * 365
    apps["ready"] = apps.received_date + pd.to_timedelta(medical.round(), unit="D")
    apps["priority"] = apps.due_date.fillna(apps.received_date)
    apps["holder_kind"] = kind[pd.Index(holders.holder_ref).get_indexer(apps.holder_ref)]
    apps["application_ref"] = [f"FA{i:07d}" for i in range(1, len(apps) + 1)]
    return apps


def officers_on(p: dict, day: pd.Timestamp) -> int:
    """The officers on strength on ``day``."""
    steps = sorted((pd.Timestamp(d), k) for d, k in p["officers"].items())
    return next((k for d, k in reversed(steps) if d <= day), steps[0][1])


def simulate_queue(p: dict, rng, apps: pd.DataFrame, as_of: date, size: float) -> None:
    """Decide applications week by week, as the officers then on strength could; adds the
    outcome, decision day, deciding officer and reason columns in place."""
    order = np.argsort(apps.priority.to_numpy(), kind="stable")
    received = apps.received_date.to_numpy()[order]
    ready = apps.ready.to_numpy()[order]
    is_renewal = (apps.kind.to_numpy() == "renewal")[order]
    decided = np.full(len(apps), np.datetime64("NaT"), dtype="datetime64[ns]")
    officer = np.full(len(apps), None, dtype=object)
    week = pd.Timestamp(p["first_due"]) - pd.Timedelta(weeks=16)
    end = pd.Timestamp(as_of)
    while week <= end:
        staff = officers_on(p, week)
        capacity = rng.poisson(staff * p["decisions_per_officer_week"] * size)
        open_ = np.isnat(decided) & (received <= np.datetime64(week)) & (ready <= np.datetime64(week))
        idx = np.flatnonzero(open_)
        fast_n = int(capacity * p["fast_track_share"])
        simple = idx[is_renewal[idx]]
        fast = rng.choice(simple, min(fast_n, len(simple)), replace=False) if len(simple) else simple
        rest = idx[~np.isin(idx, fast)][: capacity - len(fast)]
        for chosen in (fast, rest):
            days = rng.integers(0, 5, len(chosen))
            decided[chosen] = (week + pd.to_timedelta(days, unit="D")).to_numpy()
            officer[chosen] = [f"FLO{k:02d}" for k in rng.integers(1, staff + 1, len(chosen))]
        week += pd.Timedelta(weeks=1)
    back = np.argsort(order)
    decided, officer = decided[back], officer[back]
    decided[decided > np.datetime64(end)] = np.datetime64("NaT")
    apps["decided_date"] = pd.to_datetime(decided)
    apps["decided_by"] = np.where(np.isnat(decided), None, officer)
    outcomes = rng.choice(list(p["outcomes"]), len(apps), p=list(p["outcomes"].values()))
    apps["outcome"] = np.where(np.isnat(decided), None, outcomes)
    reasons = {"granted": "Fit to be entrusted; good reason shown", "withdrawn": "Withdrawn by the applicant",
               "refused": "Not fit to be entrusted: undisclosed convictions found at checks"}
    apps["reason"] = apps.outcome.map(reasons)
    # s7 permits for some renewals still open past the end of their extension.
    past = apps.outcome.isna() & (apps.kind == "renewal") & (apps.due_date + pd.Timedelta(EXTENSION_LIMIT) < end)
    given = past & (rng.random(len(apps)) < p["permit_share"])
    issued = end - pd.to_timedelta(rng.integers(0, 50, len(apps)), unit="D")
    apps["permit_issued"] = issued.where(given)
    apps["permit_expires"] = (issued + pd.Timedelta(PERMIT_DEFAULT) - pd.Timedelta(days=1)).where(given)
    apps["ready"] = apps.ready.clip(upper=end)  # a reply not yet come is not recorded
    apps["picked"] = apps.decided_date


def issue_certificates(p: dict, rng, holders: pd.DataFrame, apps: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each holder's certificate(s) renewed by the first renewal, and what replaced them."""
    ren = apps[apps.kind == "renewal"].sort_values("due_date").drop_duplicates("holder_ref")
    rows = []
    for kind in ("firearm", "shotgun"):
        mine = ren[ren.holder_kind.isin([kind, "both"])]
        old = pd.DataFrame({"holder_ref": mine.holder_ref, "kind": kind,
                            "issued_date": mine.due_date - pd.DateOffset(years=5), "expiry_date": mine.due_date})
        old["status"] = np.where(mine.outcome == "granted", "replaced",
                                 np.where(mine.outcome == "refused", "refused", "current"))
        old.loc[old.status.eq("current") & (old.expiry_date < pd.Timestamp(as_of)), "status"] = "expired"
        granted = mine[mine.outcome == "granted"]
        new = pd.DataFrame({"holder_ref": granted.holder_ref, "kind": kind, "issued_date": granted.decided_date,
                            "expiry_date": granted.decided_date + pd.DateOffset(years=5), "status": "current"})
        rows += [old, new]
    certs = pd.concat(rows, ignore_index=True)
    # A renewal still open past expiry keeps the certificate in force only with cover: the
    # register shows it 'expired' and the rules say whether an extension or permit covers it.
    revoke = certs.status.eq("current") & (rng.random(len(certs)) < p["revoked_share"])
    certs["revoked_date"] = (pd.Timestamp(as_of) - pd.to_timedelta(rng.integers(1, 700, len(certs)), unit="D")).where(revoke)
    certs["revoked_date"] = certs[["revoked_date", "issued_date"]].max(axis=1).where(revoke)
    certs["revoked_under"] = certs.kind.map(REVOCATION_SECTIONS).where(revoke)
    certs["revoked_reason"] = pd.Series("Conviction for an offence showing unfitness", index=certs.index).where(revoke)
    certs.loc[revoke, "status"] = "revoked"
    certs.insert(0, "certificate_ref", [f"{'FAC' if k == 'firearm' else 'SGC'}{i:07d}"
                                        for i, k in enumerate(certs.kind, 1)])
    return certs


def stage_events(rng, apps: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The stages each application reached by ``as_of``, in order, each with its officer."""
    end = pd.Timestamp(as_of)
    decided = apps.decided_date
    checks = (decided - pd.to_timedelta(rng.integers(14, 35, len(apps)), unit="D")).fillna(
        apps.received_date + pd.to_timedelta(rng.integers(3, 20, len(apps)), unit="D"))
    checks = checks.clip(lower=apps.received_date)
    medical = apps.ready.clip(lower=checks)
    visit = (decided - pd.to_timedelta(rng.integers(1, 8, len(apps)), unit="D")).clip(lower=medical)
    officer = apps.decided_by.fillna(pd.Series([f"FLO{k:02d}" for k in rng.integers(1, 11, len(apps))]))
    parts = [("received", apps.received_date, apps.received_date.notna()),
             ("checks", checks, checks <= end), ("medical", medical, decided.notna() | (apps.ready < end)),
             ("home_visit", visit, decided.notna()), ("decision", decided, decided.notna())]
    frames = [pd.DataFrame({"application_ref": apps.application_ref[keep], "stage": stage,
                            "event_date": when[keep], "officer": officer[keep]})
              for stage, when, keep in parts]
    events = pd.concat(frames, ignore_index=True)
    return events[events.event_date <= end].reset_index(drop=True)


def draw_mail(p: dict, rng, size: float, as_of: date) -> pd.DataFrame:
    """The inbox: every message since 2024, cleared within days until the backlog built up,
    then cleared by the drive."""
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp(as_of)
    n = int(rng.poisson(p["mail_per_week"] * size * (end - start).days / 7))
    received = pd.Series(start + pd.to_timedelta(rng.integers(0, (end - start).days + 1, n), unit="D"))
    quick = received + pd.to_timedelta(rng.integers(0, 6, n), unit="D")
    backlog = (received >= pd.Timestamp(p["mail_backlog_from"])) & (rng.random(n) > p["mail_cleared_share_backlog"])
    drive = pd.Timestamp(p["mail_drive_from"])
    later = received.clip(lower=drive) + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    cleared = quick.where(~backlog, later)
    cleared = cleared.where(cleared <= end)
    categories = rng.choice(["renewal enquiry", "medical information", "referee", "change of address",
                             "complaint", "other"], n)
    return pd.DataFrame({"message_ref": [f"MSG{i:07d}" for i in range(1, n + 1)], "received_date": received,
                         "cleared_date": cleared, "category": categories})


def draw_policies(p: dict, rng, as_of: date) -> pd.DataFrame:
    """The action plan: each policy's status, owner and evidence."""
    titles = p["policies"][: p["policies_total"]]
    owners = ["Head of Firearms Licensing", "Licensing Manager", "Detective Inspector, Firearms"]
    status = ["assessed"] * p["policies_assessed"] + ["developed"] * (len(titles) - p["policies_assessed"])
    assessed = [as_of - timedelta(days=int(d)) for d in rng.integers(5, 300, len(titles))]
    return pd.DataFrame({
        "policy_ref": [f"POL{i:02d}" for i in range(1, len(titles) + 1)],
        "title": [t for t, _ in titles], "recommendation": [r for _, r in titles], "status": status,
        "owner": [owners[i % len(owners)] for i in range(len(titles))],
        "evidence": [f"Assessment note {i:02d}; dip sample of cases" if s == "assessed" else None
                     for i, s in enumerate(status, 1)],
        "assessed_date": [d if s == "assessed" else None for d, s in zip(assessed, status)],
    })


def _load(ctx: DemoContext, holders: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if "true_person_id" in holders:
        from peel.sources.mapped import load_mapped

        path = ctx.out_dir / "extracts" / HOLDERS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        address = (holders.house_number.fillna("").astype(str) + " " + holders.street.fillna("") + ", "
                   + holders.town.fillna("") + ", " + holders.postcode.fillna(""))
        pd.DataFrame({"HolderRef": holders.holder_ref, "Forename": holders.forename,
                      "MiddleNames": holders.middle_name, "Surname": holders.surname,
                      "DateOfBirth": holders.date_of_birth.dt.strftime("%Y-%m-%d"), "Sex": holders.sex,
                      "Address": address, "Phone": holders.phone, "Email": holders.email,
                      "Registered": pd.to_datetime(holders.registered_date).dt.strftime("%Y-%m-%d"),
                      }).to_csv(path, index=False)
        load_mapped(ctx.con, path, MAPPING, snapshot=True)
        counts["person_record (firearms holders)"] = len(holders)
    with open_batch(ctx.con, SOURCE) as batch:
        for table, frame in frames.items():
            ctx.con.execute(f"DELETE FROM {quote_identifier(table)} WHERE source_system = ?", [SOURCE])
            frame = frame.assign(source_system=SOURCE)
            columns = ", ".join(quote_identifier(c) for c in frame.columns)
            ctx.con.register("_fa_frame", frame)
            try:
                ctx.con.execute(f"INSERT INTO {quote_identifier(table)} ({columns}, batch_id) "
                                f"SELECT {columns}, ? FROM _fa_frame", [batch.batch_id])
            finally:
                ctx.con.unregister("_fa_frame")
            counts[table] = len(frame)
        batch.rows_read = batch.rows_loaded = sum(counts[t] for t in frames)
        batch.note = "generated demo firearms licensing: " + ", ".join(f"{counts[t]:,} {t}" for t in frames)
    return counts
