"""Who is in which event: one row per record any source system will hold.

``draw_involvements`` decides, for the events (``events.py``) and the population
(``population.py``), who was the victim or the suspect of each crime, who was arrested, who
called or was named on each incident, and who each intelligence report is about, at the
shares of ``data/person_shape.yaml``. Offenders are drawn by how often each offends and victims
by how often each is a victim (heavy-tailed), so a few people turn up many times, across
systems. ``assign_record_ids`` then numbers the records as each system does, and
``attach_true_values`` gives each the true details of its person on its date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from peel.demo.persons.parameters import (
    INTEL_GRADINGS,
    INTEL_SUBJECTS_PER_REPORT,
    SHAPE,
    STANDALONE_INCIDENT_TYPES,
    SUSPECT_SHARE_BY_TYPE,
    VICTIM_SHARE_BY_TYPE,
)
from peel.demo.persons.systems import CRIME_RECORDS, CUSTODY, INCIDENTS, INTELLIGENCE


def _sample_ids(rng, ids: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k == 0:
        return np.array([], dtype=np.int64)
    p = weights / weights.sum()
    return ids[rng.choice(len(ids), k, p=p)]


def draw_involvements(
    crimes: pd.DataFrame,
    arrests: pd.DataFrame,
    persons: pd.DataFrame,
    vehicles: pd.DataFrame,
    rng: np.random.Generator,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Decide who was involved in what: one row per record any source system will hold."""
    ids = persons["true_person_id"].to_numpy()
    off = persons["is_offender"].to_numpy()
    off_ids, off_w = ids[off], persons["offending_weight"].to_numpy()[off]
    vic_w = persons["victim_weight"].to_numpy()
    nc = len(crimes)  # never 0: generate_person_extracts refuses no crimes
    parts = []

    # Crime records: victims and suspects of each crime.
    vshare = crimes["crime_type"].map(VICTIM_SHARE_BY_TYPE).fillna(SHAPE["victim_share"]).to_numpy()
    sshare = (
        crimes["crime_type"].map(SUSPECT_SHARE_BY_TYPE).fillna(SHAPE["suspect_share"]).to_numpy()
    )
    has_v = rng.random(nc) < vshare
    has_s = rng.random(nc) < sshare
    victims = crimes[has_v].copy()
    victims["true_person_id"] = _sample_ids(rng, ids, vic_w, len(victims))
    victims["role"] = "victim"
    suspects = crimes[has_s].copy()
    suspects["true_person_id"] = _sample_ids(rng, off_ids, off_w, len(suspects))
    suspects["role"] = "suspect"
    for part in (victims, suspects):
        part["source_system"] = CRIME_RECORDS
        part["event_ref"] = part["crime_ref"]
        parts.append(part)

    # Custody: one arrestee per arrest, usually the crime's named suspect.
    arr = arrests.copy()
    suspect_of = suspects.drop_duplicates("crime_key").set_index("crime_key")["true_person_id"]
    known = arr["crime_key"].map(suspect_of)
    use_known = known.notna().to_numpy() & (rng.random(len(arr)) < SHAPE["arrest_is_crime_suspect"])
    arr["true_person_id"] = np.where(
        use_known, known.fillna(0).to_numpy(), _sample_ids(rng, off_ids, off_w, len(arr))
    ).astype(np.int64)
    arr["role"] = "arrestee"
    arr["source_system"] = CUSTODY
    arr["event_ref"] = arr["arrest_ref"]
    parts.append(arr)

    # Command and control: victims calling in crimes, plus incidents that are not crimes.
    called = victims[rng.random(len(victims)) < SHAPE["incident_per_victim_crime"]].copy()
    called["incident_type"] = "CRIME - " + called["crime_type"].str.upper()
    called["date"] = called["date"] - pd.to_timedelta(rng.integers(0, 3, len(called)), unit="D")
    n_alone = int(nc * SHAPE["standalone_incidents_per_crime"])
    span = max((end - start).days, 1)
    alone = pd.DataFrame(
        {
            "date": pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, span, n_alone), unit="D"),
            "incident_type": np.array(STANDALONE_INCIDENT_TYPES)[
                rng.integers(0, len(STANDALONE_INCIDENT_TYPES), n_alone)
            ],
            "district_code": crimes["district_code"].to_numpy()[rng.integers(0, nc, n_alone)],
            "lsoa_code": crimes["lsoa_code"].to_numpy()[rng.integers(0, nc, n_alone)],
            "true_person_id": _sample_ids(rng, ids, vic_w, n_alone),
        }
    )
    incidents = pd.concat(
        [
            called[
                [
                    "date",
                    "incident_type",
                    "district_code",
                    "lsoa_code",
                    "true_person_id",
                    "crime_key",
                ]
            ],
            alone,
        ],
        ignore_index=True,
    )
    incidents = incidents.sort_values("date", kind="stable").reset_index(drop=True)
    # 'CC' + the day (yymmdd) + a running number; days are few, so format each day once.
    days = incidents["date"].dt.normalize()
    day_text = days.map({d: f"{d:%y%m%d}" for d in days.unique()})
    number = (
        pd.Series(np.arange(1, len(incidents) + 1), index=incidents.index).astype(str).str.zfill(6)
    )
    incidents["event_ref"] = "CC" + day_text + "-" + number
    callers = incidents.assign(role="caller")
    # Persons named on the call: the crime's suspect where there is one; on some of the other
    # incidents (standalone_incident_names_offender), an offender.
    sus = incidents["crime_key"].map(suspect_of)
    name_sus = sus.notna().to_numpy() & (
        rng.random(len(incidents)) < SHAPE["incident_names_suspect"]
    )
    other = incidents["crime_key"].isna().to_numpy() & (
        rng.random(len(incidents)) < SHAPE["standalone_incident_names_offender"]
    )
    involved = incidents[name_sus | other].copy()
    involved["true_person_id"] = np.where(
        name_sus[name_sus | other],
        sus.fillna(0).to_numpy()[name_sus | other],
        _sample_ids(rng, off_ids, off_w, len(involved)),
    ).astype(np.int64)
    involved["role"] = "subject"
    inc = pd.concat([callers, involved], ignore_index=True)
    inc["source_system"] = INCIDENTS
    parts.append(inc)

    # Intelligence: reports on offenders, one to three subjects each, vehicles mentioned.
    n_rep = int(nc * SHAPE["intel_reports_per_crime"])
    subjects = INTEL_SUBJECTS_PER_REPORT
    n_subj = rng.choice(list(subjects), n_rep, p=list(subjects.values()))
    rep_idx = np.repeat(np.arange(n_rep), n_subj)
    rep_date = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, span, n_rep), unit="D")
    intel = pd.DataFrame(
        {
            "event_ref": ("IR-" + pd.Series(rep_idx + 1).astype(str).str.zfill(7)).to_numpy(),
            "date": rep_date[rep_idx],
            "grading": np.array(INTEL_GRADINGS)[rng.integers(0, len(INTEL_GRADINGS), n_rep)][
                rep_idx
            ],
            "district_code": crimes["district_code"].to_numpy()[rng.integers(0, nc, n_rep)][
                rep_idx
            ],
            "true_person_id": _sample_ids(rng, off_ids, off_w, len(rep_idx)),
            "role": "subject",
            "source_system": INTELLIGENCE,
        }
    )
    own = vehicles.groupby("true_person_id")["vrm"].first()
    vrm = intel["true_person_id"].map(own)
    intel["vrm"] = vrm.where(rng.random(len(intel)) < SHAPE["intel_mentions_vehicle"])
    parts.append(intel)

    cols = [
        "source_system",
        "role",
        "true_person_id",
        "event_ref",
        "date",
        "crime_type",
        "incident_type",
        "grading",
        "district_code",
        "lsoa_code",
        "vrm",
    ]
    records = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    records["date"] = pd.to_datetime(records["date"])
    # A person is recorded once per event (a victim drawn as the suspect too, a subject drawn
    # twice for one report: keep the first).
    return records.drop_duplicates(["source_system", "event_ref", "true_person_id"]).reset_index(
        drop=True
    )


def assign_record_ids(rec: pd.DataFrame) -> pd.DataFrame:
    """Give each record its id in its source system and its key in the warehouse."""
    rec = rec.sort_values(
        ["source_system", "date", "event_ref", "role"], kind="stable"
    ).reset_index(drop=True)
    seq = rec.groupby("source_system").cumcount().to_numpy() + 1
    ids = np.empty(len(rec), dtype=object)
    s = rec["source_system"].to_numpy()
    for system, prefix in ((CRIME_RECORDS, "NOM"), (CUSTODY, "CU")):
        m = s == system
        ids[m] = (prefix + pd.Series(seq[m], dtype="int64").astype(str).str.zfill(8)).to_numpy()
    for system in (INTELLIGENCE, INCIDENTS):
        # One record per person on the report or incident: its id, '/', the person's number.
        m = s == system
        within = rec[m].groupby("event_ref").cumcount() + 1
        ids[m] = (rec.loc[m, "event_ref"].astype(str) + "/" + within.astype(str)).to_numpy()
    rec["source_record_id"] = ids
    rec["record_key"] = rec["source_system"] + ":" + rec["source_record_id"]
    return rec


def attach_true_values(
    rec: pd.DataFrame, persons: pd.DataFrame, addresses: pd.DataFrame
) -> pd.DataFrame:
    """Put beside each record the true details of its person on the record's date: names,
    date of birth, contacts, the address then (and the one left, for a stale address)."""
    rec = rec.merge(
        persons[
            [
                "true_person_id",
                "forename",
                "middle_name",
                "surname",
                "sex",
                "date_of_birth",
                "phone",
                "email",
                "pnc_id",
            ]
        ],
        on="true_person_id",
        how="left",
    )
    first = addresses[addresses["address_seq"] == 1].set_index("true_person_id")
    second = addresses[addresses["address_seq"] == 2].set_index("true_person_id")
    moved_on = first["valid_to"].reindex(rec["true_person_id"]).to_numpy()
    after_move = pd.notna(moved_on) & (rec["date"].to_numpy() >= moved_on)
    cols = ["address_id", "house_number", "street", "town", "postcode"]
    a1 = first[cols].reindex(rec["true_person_id"]).reset_index(drop=True)
    a2 = second[cols].reindex(rec["true_person_id"]).reset_index(drop=True)
    for col in cols:
        rec[col] = np.where(
            after_move, a2[col].to_numpy(dtype=object), a1[col].to_numpy(dtype=object)
        )
        # The address the person had left, for records that give it by mistake (stale).
        rec[f"prev_{col}"] = np.where(after_move, a1[col].to_numpy(dtype=object), None)
    return rec
