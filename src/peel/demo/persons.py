"""The demo force's persons: a fictional population behind its events, written out as four
source-system extracts (each in its own format, with realistic recording errors) and, kept
apart, the ground truth of who every record really is.

Linkage is measured against that truth, so every error the extracts contain is applied here
at a declared rate (``ERROR_RATES``) and flagged per record in the truth file. Everything is
vectorised with numpy and pandas so that the same code writes a million records in seconds
(``generate_person_population``) for the linkage benchmark.

No real person is described: names are drawn independently from Faker's en_GB name lists,
streets are invented, postcodes use the made-up 'CK' area, phone numbers are random and
email addresses use the reserved example.* domains.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from faker.providers.person.en_GB import Provider as FakerNames
from rich.progress import Progress

# Source systems, as their records are named in the warehouse (person_record.source_system).
CRIME_RECORDS = "demo_crime_records"
CUSTODY = "demo_custody"
INTELLIGENCE = "demo_intelligence"
INCIDENTS = "demo_incidents"
SOURCES = (CRIME_RECORDS, CUSTODY, INTELLIGENCE, INCIDENTS)

EXTRACT_FILES = {
    CRIME_RECORDS: "crime_records_nominals.csv",
    CUSTODY: "custody_arrestees.csv",
    INTELLIGENCE: "intelligence_subjects.parquet",
    INCIDENTS: "incident_persons.csv",
}

# Probability that a record carries each kind of error, per source system. A rate is the
# share of the records where the error is possible (ERROR_APPLIES_TO) that carry it; a rate
# of 1.0 for a *_missing kind means the system has no such column at all.
# Custody takes details from the person in front of the officer, so it is the cleanest;
# incidents are names heard over the phone, so they are the noisiest.
ERROR_RATES: dict[str, dict[str, float]] = {
    CRIME_RECORDS: {
        "forename_typo": 0.02,
        "surname_typo": 0.02,
        "nickname": 0.04,
        "names_swapped": 0.01,
        "dob_day_month_swapped": 0.01,
        "dob_typo": 0.01,
        "dob_missing": 0.08,
        "address_missing": 0.03,
        "stale_address": 0.02,
        "postcode_variant": 0.15,
        "phone_missing": 0.25,
        "email_missing": 0.50,
        "pnc_missing": 1.0,
        "name_partial": 0.0,
        "vrm_typo": 0.0,
        "row_cut_short": 0.0,
    },
    CUSTODY: {
        "forename_typo": 0.01,
        "surname_typo": 0.01,
        "nickname": 0.03,
        "names_swapped": 0.005,
        "dob_day_month_swapped": 0.005,
        "dob_typo": 0.005,
        "dob_missing": 0.01,
        "address_missing": 0.05,
        "stale_address": 0.02,
        "postcode_variant": 0.05,
        "phone_missing": 0.30,
        "email_missing": 1.0,
        "pnc_missing": 0.10,
        "name_partial": 0.0,
        "vrm_typo": 0.0,
        "row_cut_short": 0.0,
    },
    INTELLIGENCE: {
        "forename_typo": 0.05,
        "surname_typo": 0.05,
        "nickname": 0.15,
        "names_swapped": 0.03,
        "dob_day_month_swapped": 0.02,
        "dob_typo": 0.03,
        "dob_missing": 0.35,
        "address_missing": 0.35,
        "stale_address": 0.15,
        "postcode_variant": 0.30,
        "phone_missing": 0.70,
        "email_missing": 1.0,
        "pnc_missing": 0.60,
        "name_partial": 0.05,
        "vrm_typo": 0.08,
        "row_cut_short": 0.0,
    },
    INCIDENTS: {
        "forename_typo": 0.07,
        "surname_typo": 0.07,
        "nickname": 0.12,
        "names_swapped": 0.02,
        "dob_day_month_swapped": 0.01,
        "dob_typo": 0.02,
        "dob_missing": 0.75,
        "address_missing": 0.40,
        "stale_address": 0.05,
        "postcode_variant": 0.40,
        "phone_missing": 0.35,
        "email_missing": 1.0,
        "pnc_missing": 1.0,
        "name_partial": 0.03,
        "vrm_typo": 0.0,
        "row_cut_short": 0.001,
    },
}
ERROR_KINDS = tuple(ERROR_RATES[CRIME_RECORDS])
ERROR_APPLIES_TO = {
    "nickname": "records whose true forename has a usual short form (names/nicknames.csv)",
    "dob_day_month_swapped": "records whose true date of birth has day <= 12 and day != month",
    "stale_address": "records made after the person moved house",
    "postcode_variant": "records with a postcode",
    "phone_missing": "records of persons who have a phone",
    "email_missing": "records of persons who have an email address",
    "pnc_missing": "records of persons who have a PNC id",
    "vrm_typo": "records that mention a vehicle",
}
ERROR_MEANINGS = {
    "forename_typo": "one keying slip in the forename (letter changed, dropped, doubled or swapped)",
    "surname_typo": "one keying slip in the surname",
    "nickname": "a usual short form instead of the forename (Robert -> Bob)",
    "names_swapped": "forename and surname recorded the wrong way round",
    "dob_day_month_swapped": "date of birth with day and month swapped",
    "dob_typo": "date of birth a day, a month, a year or ten years out",
    "dob_missing": "no date of birth",
    "address_missing": "no address",
    "stale_address": "the address the person had left, not the current one",
    "postcode_variant": "postcode without its space, in lower case, or with a double space",
    "phone_missing": "no phone number although the person has one",
    "email_missing": "no email address although the person has one",
    "pnc_missing": "no PNC id although the person has one",
    "name_partial": "surname only: the forename was not known",
    "vrm_typo": "a vehicle mark misread by one character (0/O, 1/I, 5/S, 8/B or another letter)",
    "row_cut_short": "the exported line stops after the person's type (a broken export): quarantined on load",
}

# How the population and its involvement in events are shaped.
SHAPE = {
    "records_per_person": 2.5,  # demo population size = expected records / this
    # Records per crime besides custody's (victims, suspects, incident and intelligence
    # persons), as draw_involvements comes out: sizes the population and synthetic events.
    "records_per_crime": 2.3,
    "synthetic_arrests_per_crime": 0.25,
    "offender_share": 0.10,  # persons who ever offend
    "middle_name_share": 0.40,
    "phone_share": 0.85,
    "email_share": 0.60,
    "pnc_share_offender": 0.85,
    "pnc_share_other": 0.02,
    "mover_share": 0.25,  # persons who move house once in the period
    "household_share": 0.30,  # persons living with another person of the population
    "household_same_surname": 0.80,  # of those, sharing the surname
    "household_namesake": 0.10,  # of those of the same sex, sharing the forename too
    "vehicle_share": 0.35,  # persons with one vehicle (a further 6% have two)
    "second_vehicle_share": 0.06,
    "victim_share": 0.85,  # crimes with a recorded victim, unless listed below
    "suspect_share": 0.35,  # crimes with a named suspect, unless listed below
    "arrest_is_crime_suspect": 0.85,
    "incident_per_victim_crime": 0.50,  # crimes reported by the victim on a call
    "incident_names_suspect": 0.40,
    "standalone_incidents_per_crime": 0.30,
    "intel_reports_per_crime": 0.12,
    "intel_mentions_vehicle": 0.50,
}
VICTIM_SHARE_BY_TYPE = {
    "Drugs": 0.0,
    "Possession of weapons": 0.0,
    "Public order": 0.45,
    "Anti-social behaviour": 0.6,
    "Shoplifting": 0.9,
    "Other crime": 0.6,
}
SUSPECT_SHARE_BY_TYPE = {
    "Drugs": 1.0,
    "Possession of weapons": 1.0,
    "Shoplifting": 0.6,
    "Violence and sexual offences": 0.7,
    "Burglary": 0.15,
    "Vehicle crime": 0.1,
    "Bicycle theft": 0.05,
    "Other theft": 0.15,
}
STANDALONE_INCIDENT_TYPES = [
    "ASB - NUISANCE",
    "CONCERN FOR WELFARE",
    "SUSPICIOUS CIRCUMSTANCES",
    "ROAD RELATED",
    "DOMESTIC INCIDENT",
    "ALARM - AUDIBLE",
    "MISSING PERSON",
]
INTEL_GRADINGS = ["A1", "B2", "B3", "C2", "C3", "E4"]
STREET_SUFFIXES = [
    "Road",
    "Street",
    "Close",
    "Avenue",
    "Lane",
    "Way",
    "Drive",
    "Crescent",
    "Gardens",
    "Grove",
    "Place",
    "Court",
    "Mews",
    "Rise",
    "Walk",
    "Terrace",
]
FALLBACK_TOWNS = [
    "Caxton Keynes",
    "Ashworth",
    "Bramblecombe",
    "Cullingford",
    "Dunmere",
    "Elmstead Vale",
    "Fennick",
    "Great Holloway",
]
POSTCODE_AREA = "CK"  # made up: no real UK postcode area is CK
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"]
# Registration marks: current format 'AB12 CDE'; letters I, Q and Z are not used.
VRM_LETTERS = list("ABCDEFGHJKLMNOPRSTUVWXY")
INWARD_LETTERS = list("ABDEFGHJLNPQRSTUWXYZ")  # postcode inward letters never use C I K M O V


def format_error_rates() -> str:
    """The error-rate table of docs/demo-persons.md, in Markdown (a test keeps them equal)."""
    lines = [
        "| error | meaning | rate is a share of | " + " | ".join(SOURCES) + " |",
        "|---|---|---|" + "---:|" * len(SOURCES),
    ]
    for kind in ERROR_KINDS:
        rates = " | ".join(f"{ERROR_RATES[s][kind]:g}" for s in SOURCES)
        lines.append(
            f"| `{kind}` | {ERROR_MEANINGS[kind]} | {ERROR_APPLIES_TO.get(kind, 'all records')} | {rates} |"
        )
    return "\n".join(lines)


def read_nicknames() -> dict[str, list[str]]:
    """Return formal forename -> its usual short forms, from names/nicknames.csv."""
    text = (Path(__file__).parent / "names" / "nicknames.csv").read_text(encoding="utf-8")
    shorts: dict[str, list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        shorts.setdefault(row["formal"], []).append(row["short"])
    return shorts


def _weigh_by_rank(n: int) -> np.ndarray:
    # Faker's lists run from common to rare: weight by rank so common names collide, as they do.
    w = 1.0 / (np.arange(n) + 8.0)
    return w / w.sum()


def _draw_digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10**width, n).astype(str), width)


def _draw_letters(rng: np.random.Generator, alphabet: list[str], n: int, k: int) -> np.ndarray:
    out = np.array(alphabet)[rng.integers(0, len(alphabet), n)]
    for _ in range(k - 1):
        out = np.char.add(out, np.array(alphabet)[rng.integers(0, len(alphabet), n)])
    return out


def build_gazetteer(
    towns: list[str], rng: np.random.Generator, streets_per_town: int = 60
) -> pd.DataFrame:
    """Invent streets for each town, each with its postcode in the made-up CK area."""
    surnames = np.array(list(FakerNames.last_names))
    n = len(towns) * streets_per_town
    town_idx = np.repeat(np.arange(len(towns)), streets_per_town)
    names = np.char.add(
        np.char.add(surnames[rng.integers(0, len(surnames), n)], " "),
        np.array(STREET_SUFFIXES)[rng.integers(0, len(STREET_SUFFIXES), n)],
    )
    inward = np.char.add(
        rng.integers(1, 10, n).astype(str), _draw_letters(rng, INWARD_LETTERS, n, 2)
    )
    outward = np.char.add(POSTCODE_AREA, (town_idx + 1).astype(str))
    streets = pd.DataFrame(
        {
            "town": np.array(towns)[town_idx],
            "street": names,
            "postcode": np.char.add(np.char.add(outward, " "), inward),
            "max_number": rng.integers(8, 160, n),
        }
    )
    # Two streets of the same name in one town would make the truth ambiguous.
    return streets.drop_duplicates(["town", "street"]).reset_index(drop=True)


def build_population(
    n: int, rng: np.random.Generator, towns: list[str], start: date, end: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Draw ``n`` fictional true persons: (persons, address history, vehicles)."""
    male = np.array(FakerNames.first_names_male)
    female = np.array(FakerNames.first_names_female)
    surnames = np.array(list(FakerNames.last_names))
    surname_w = np.array(list(FakerNames.last_names.values()), dtype=float)
    surname_w /= surname_w.sum()

    sex = np.where(rng.random(n) < 0.5, "M", "F")
    is_m = sex == "M"
    fm = male[rng.choice(len(male), n, p=_weigh_by_rank(len(male)))]
    ff = female[rng.choice(len(female), n, p=_weigh_by_rank(len(female)))]
    mm = male[rng.choice(len(male), n, p=_weigh_by_rank(len(male)))]
    mf = female[rng.choice(len(female), n, p=_weigh_by_rank(len(female)))]
    forename = np.where(is_m, fm, ff)
    middle = np.where(is_m, mm, mf)
    middle = np.where(
        (rng.random(n) < SHAPE["middle_name_share"]) & (middle != forename), middle, None
    )
    surname = surnames[rng.choice(len(surnames), n, p=surname_w)]

    offender = rng.random(n) < SHAPE["offender_share"]
    # Offenders are young; the rest are any adult age (victims, callers).
    age = np.where(offender, 15 + rng.gamma(2.0, 8.0, n), rng.uniform(16, 90, n)).clip(14, 95)
    end_np = np.datetime64(end, "D")
    dob = end_np - (age * 365.25).astype("timedelta64[D]")

    # Households: some persons live with another (the household's first person), usually
    # sharing the surname, always the address; a few share the forename too (father and son,
    # mother and daughter). They are the near-matches linkage must not merge.
    host = np.arange(n)
    joins = rng.random(n) < SHAPE["household_share"]
    alone = np.flatnonzero(~joins)
    host[joins] = alone[rng.integers(0, len(alone), int(joins.sum()))]
    family = joins & (rng.random(n) < SHAPE["household_same_surname"])
    surname = np.where(family, surname[host], surname)
    namesake = family & (sex == sex[host]) & (rng.random(n) < SHAPE["household_namesake"])
    forename = np.where(namesake, forename[host], forename)
    generation = (rng.uniform(18, 35, n) * 365.25).astype("timedelta64[D]")
    child = dob[host] + generation
    parent = dob[host] - generation
    dob = np.where(
        namesake, np.where(child <= end_np - np.timedelta64(5000, "D"), child, parent), dob
    )

    phone = np.char.add("07", _draw_digits(rng, n, 9))
    phone = np.where(rng.random(n) < SHAPE["phone_share"], phone, None)
    handle = np.char.lower(np.char.add(np.char.add(forename.astype(str), "."), surname.astype(str)))
    handle = np.char.add(
        handle, np.where(rng.random(n) < 0.5, rng.integers(1, 99, n).astype(str), "")
    )
    handle = np.char.replace(np.char.replace(handle, " ", ""), "'", "")
    email = np.char.add(
        np.char.add(handle, "@"), np.array(EMAIL_DOMAINS)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    )
    email = np.where(rng.random(n) < SHAPE["email_share"], email, None)
    # A phone number or an email address belongs to one person: redraw or number the repeats.
    for _ in range(10):
        repeat = pd.Series(phone).duplicated().to_numpy() & pd.notna(phone)
        if not repeat.any():
            break
        phone[repeat] = np.char.add("07", _draw_digits(rng, int(repeat.sum()), 9))
    repeat = pd.Series(email).duplicated().to_numpy() & pd.notna(email)
    email[repeat] = [
        e.replace("@", f".{i}@") for e, i in zip(email[repeat], np.flatnonzero(repeat))
    ]

    pnc_share = np.where(offender, SHAPE["pnc_share_offender"], SHAPE["pnc_share_other"])
    pnc_year = rng.integers(0, 26, n)
    pnc = np.char.add(
        np.char.add(np.char.zfill(pnc_year.astype(str), 2), "/"), _draw_digits(rng, n, 7)
    )
    pnc = np.char.add(pnc, np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))[rng.integers(0, 23, n)])
    pnc = np.where(rng.random(n) < pnc_share, pnc, None)

    persons = pd.DataFrame(
        {
            "true_person_id": np.arange(1, n + 1, dtype=np.int64),
            "forename": forename,
            "middle_name": middle,
            "surname": surname,
            "sex": sex,
            "date_of_birth": dob.astype("datetime64[ns]"),
            "phone": phone,
            "email": email,
            "pnc_id": pnc,
            "is_offender": offender,
            "household_id": host + 1,  # the true_person_id of the household's first person
            # How often each person turns up as an offender, and as a victim: heavy-tailed, so that
            # a few are prolific offenders or repeat victims, as in every force.
            "offending_weight": np.where(offender, rng.pareto(1.3, n) + 0.2, 0.0),
            "victim_weight": rng.lognormal(0.0, 1.0, n),
        }
    )

    gazetteer = build_gazetteer(towns, rng)
    addresses = _draw_address_history(persons, gazetteer, rng, start, end)
    vehicles = _draw_vehicles(persons, rng, end)
    return persons, addresses, vehicles


def _draw_address_history(persons, gazetteer, rng, start, end) -> pd.DataFrame:
    n = len(persons)
    mover = rng.random(n) < SHAPE["mover_share"]
    span = max((end - start).days, 1)
    move_date = np.datetime64(start, "D") + rng.integers(1, span, n).astype("timedelta64[D]")

    def draw(k: int) -> pd.DataFrame:
        s = gazetteer.iloc[rng.integers(0, len(gazetteer), k)].reset_index(drop=True)
        s["house_number"] = (rng.random(k) * s["max_number"].to_numpy()).astype(int) + 1
        return s.drop(columns="max_number")

    # A household moves together: everyone takes the first person's addresses and move.
    host = persons["household_id"].to_numpy() - 1
    mover, move_date = mover[host], move_date[host]
    first = draw(n).iloc[host].reset_index(drop=True)
    first["true_person_id"] = persons["true_person_id"].to_numpy()
    first["valid_from"] = pd.NaT
    first["valid_to"] = pd.Series(
        np.where(mover, move_date, np.datetime64("NaT")), dtype="datetime64[ns]"
    )
    first["address_seq"] = 1
    second = draw(n).iloc[host].reset_index(drop=True)[mover].reset_index(drop=True)
    second["true_person_id"] = persons["true_person_id"].to_numpy()[mover]
    second["valid_from"] = pd.Series(move_date[mover], dtype="datetime64[ns]")
    second["valid_to"] = pd.NaT
    second["address_seq"] = 2
    out = pd.concat([first, second], ignore_index=True)
    out["house_number"] = out["house_number"].astype(str)
    out.insert(0, "address_id", np.arange(1, len(out) + 1, dtype=np.int64))
    return out[
        [
            "address_id",
            "true_person_id",
            "address_seq",
            "house_number",
            "street",
            "town",
            "postcode",
            "valid_from",
            "valid_to",
        ]
    ]


def _draw_vehicles(persons, rng, end) -> pd.DataFrame:
    n = len(persons)
    u = rng.random(n)
    count = np.where(
        u < SHAPE["second_vehicle_share"],
        2,
        np.where(u < SHAPE["vehicle_share"] + SHAPE["second_vehicle_share"], 1, 0),
    )
    owner = np.repeat(persons["true_person_id"].to_numpy(), count)
    k = len(owner)
    # Age identifier: March registrations use the year (e.g. 12), September ones year + 50.
    year = rng.integers(1, end.year % 100 + 1, k)
    age_id = np.char.zfill(np.where(rng.random(k) < 0.5, year, year + 50).astype(str), 2)
    vrm = np.char.add(
        np.char.add(np.char.add(_draw_letters(rng, VRM_LETTERS, k, 2), age_id), " "),
        _draw_letters(rng, VRM_LETTERS, k, 3),
    )
    out = pd.DataFrame({"vrm": vrm, "true_person_id": owner})
    return out.drop_duplicates("vrm").reset_index(drop=True)


def _sample_ids(rng, ids: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k == 0:
        return np.array([], dtype=np.int64)
    p = weights / weights.sum()
    return ids[rng.choice(len(ids), k, p=p)]


def _standardise_events(
    crimes: pd.DataFrame, arrests: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick the columns the persons need from the demo force's crimes and arrests."""
    c = pd.DataFrame(
        {
            "crime_ref": crimes["source_record_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(crimes["recorded_date"]).dt.normalize().to_numpy(),
            "crime_type": crimes["crime_type"].astype(str).to_numpy(),
            "district_code": crimes["district_code"].to_numpy(),
            "lsoa_code": crimes["lsoa_code"].to_numpy(),
            "crime_key": crimes["crime_key"].astype(str).to_numpy(),
        }
    )
    a = pd.DataFrame(
        {
            "arrest_ref": arrests["source_record_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(arrests["arrest_date"]).dt.normalize().to_numpy(),
            "crime_key": arrests["crime_key"].to_numpy(),
            # the stand-in events of generate_person_population have no district per arrest
            "district_code": arrests["district_code"].to_numpy()
            if "district_code" in arrests
            else None,
        }
    )
    return c, a


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
    # Persons named on the call: the crime's suspect where there is one; on half the other
    # incidents, an offender.
    sus = incidents["crime_key"].map(suspect_of)
    name_sus = sus.notna().to_numpy() & (
        rng.random(len(incidents)) < SHAPE["incident_names_suspect"]
    )
    other = incidents["crime_key"].isna().to_numpy() & (rng.random(len(incidents)) < 0.5)
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
    n_subj = rng.choice([1, 2, 3], n_rep, p=[0.7, 0.25, 0.05])
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


def _mistype(word: str, r: random.Random) -> str:
    """Return ``word`` with one keying slip: a letter changed, dropped, doubled or swapped."""
    if not word:
        return word
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(5):
        i = r.randrange(1, len(word)) if len(word) > 2 else r.randrange(len(word))
        op = r.randrange(4)
        if op == 0:
            out = word[:i] + r.choice(letters) + word[i + 1 :]
        elif op == 1 and len(word) > 3:
            out = word[:i] + word[i + 1 :]
        elif op == 2:
            out = word[:i] + word[i] + word[i:]
        else:
            out = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if i > 0 else word
        if out.lower() != word.lower():
            return out
    return word + "e"


def _draw_mask(rng, n: int, rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
    draw = rng.random(n) < rate
    return draw if eligible is None else (draw & eligible)


def apply_errors(
    rec: pd.DataFrame, rng: np.random.Generator, r: random.Random, nicknames: dict[str, list[str]]
) -> pd.DataFrame:
    """Turn true values into what each source recorded, flagging every error applied."""
    n = len(rec)
    out = rec.copy()
    flags = {}

    system = rec["source_system"].to_numpy()
    of_source = {s: system == s for s in SOURCES}

    def mask(kind, eligible=None):
        # Rates differ by source: draw per source so each gets its declared share.
        m = np.zeros(n, dtype=bool)
        for s, sel in of_source.items():
            el = None if eligible is None else eligible[sel]
            m[sel] = _draw_mask(rng, int(sel.sum()), ERROR_RATES[s][kind], el)
        flags[f"err_{kind}"] = m
        return m

    # Names.
    fore = out["forename"].to_numpy(dtype=object)
    sur = out["surname"].to_numpy(dtype=object)
    has_short = np.array([f in nicknames for f in fore])
    m = mask("nickname", has_short)
    fore[m] = [r.choice(nicknames[f]) for f in fore[m]]
    m = mask("forename_typo")
    fore[m] = [_mistype(f, r) for f in fore[m]]
    m = mask("surname_typo")
    sur[m] = [_mistype(s, r) for s in sur[m]]
    m = mask("names_swapped")
    fore[m], sur[m] = sur[m].copy(), fore[m].copy()
    m = mask("name_partial")
    fore[m] = None
    out["forename"], out["surname"] = fore, sur
    out.loc[m, "middle_name"] = None

    # Vehicle marks mentioned (intelligence), misread now and then.
    vrm = out["vrm"].to_numpy(dtype=object)
    mask("row_cut_short")  # done by the writer: see _cut_rows_short
    m = mask("vrm_typo", pd.notna(vrm))
    vrm[m] = [_misread_vrm(v, r) for v in vrm[m]]
    out["vrm"] = vrm

    # Dates of birth.
    dob = out["date_of_birth"]
    day, month = dob.dt.day.to_numpy(), dob.dt.month.to_numpy()
    m = mask("dob_day_month_swapped", (day <= 12) & (day != month))
    swapped = pd.to_datetime(
        pd.DataFrame({"year": dob.dt.year[m], "month": day[m], "day": month[m]})
    )
    dob = dob.copy()
    dob[m] = swapped.to_numpy()
    m = mask("dob_typo")
    dob[m] = [_shift_date(d, r) for d in dob[m]]
    m = mask("dob_missing")
    dob[m] = pd.NaT
    out["date_of_birth"] = dob

    # Addresses: a stale address is the one the person left; missing is none at all.
    stale = mask("stale_address", out["prev_address_id"].notna().to_numpy())
    for col in ("house_number", "street", "town", "postcode"):
        out.loc[stale, col] = out.loc[stale, f"prev_{col}"]
    out.loc[stale, "address_id"] = out.loc[stale, "prev_address_id"]
    m = mask("address_missing")
    out.loc[m, ["house_number", "street", "town", "postcode", "address_id"]] = None
    pc = out["postcode"].to_numpy(dtype=object)
    m = mask("postcode_variant", pd.notna(pc))
    style = rng.integers(0, 3, n)
    pc[m & (style == 0)] = [p.replace(" ", "") for p in pc[m & (style == 0)]]
    pc[m & (style == 1)] = [p.lower() for p in pc[m & (style == 1)]]
    pc[m & (style == 2)] = [p.replace(" ", "  ").lower() for p in pc[m & (style == 2)]]
    out["postcode"] = pc

    for kind, col in (
        ("phone_missing", "phone"),
        ("email_missing", "email"),
        ("pnc_missing", "pnc_id"),
    ):
        m = mask(kind, out[col].notna().to_numpy())
        out.loc[m, col] = None
    return pd.concat(
        [out, pd.DataFrame(flags, index=out.index)[[f"err_{k}" for k in ERROR_KINDS]]], axis=1
    )


# Characters a witness or an officer reads one for the other on a number plate.
VRM_LOOKALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8"}


def _misread_vrm(vrm: str, r: random.Random) -> str:
    """A registration mark with one character misread."""
    positions = [i for i, ch in enumerate(vrm) if ch != " "]
    i = r.choice(positions)
    ch = vrm[i]
    new = VRM_LOOKALIKES.get(ch) or r.choice(
        [c for c in VRM_LETTERS if c != ch]
        if ch.isalpha()
        else [d for d in "0123456789" if d != ch]
    )
    return vrm[:i] + new + vrm[i + 1 :]


def _shift_date(d: pd.Timestamp, r: random.Random) -> pd.Timestamp:
    """A date keyed wrongly: a day or a month out, or a year digit slipped."""
    for _ in range(5):
        op = r.randrange(4)
        try:
            if op == 0:
                new = d + pd.Timedelta(days=r.choice([-1, 1]))
            elif op == 1:
                new = d.replace(month=(d.month % 12) + 1)
            elif op == 2:
                new = d.replace(year=d.year + r.choice([-1, 1]))
            else:
                new = d.replace(year=d.year + r.choice([-10, 10]))
        except ValueError:
            continue
        return new
    return d + pd.Timedelta(days=1)


# How people write a UK mobile number '07700900123'.
PHONE_STYLES = {
    "plain": lambda p: p,
    "spaced": lambda p: f"{p[:5]} {p[5:]}",
    "intl": lambda p: f"+44 {p[1:5]} {p[5:]}",
    "intl_plain": lambda p: f"+44{p[1:]}",
    "brackets": lambda p: f"({p[:5]}) {p[5:8]} {p[8:]}",
}


def _format_phone(phones: pd.Series, rng: np.random.Generator, styles: list[str]) -> pd.Series:
    """Write UK mobile numbers ('07...') in a mix of styles, as people type them."""
    numbers = phones.to_numpy(dtype=object)
    choice = rng.integers(0, len(styles), len(numbers))
    known = pd.notna(numbers)
    out = np.full(len(numbers), "", dtype=object)
    for i, style in enumerate(styles):
        sel = known & (choice == i)
        out[sel] = [PHONE_STYLES[style](p) for p in numbers[sel]]
    return pd.Series(out, index=phones.index)


def _join_address(
    df: pd.DataFrame, with_number: np.ndarray | None = None, upper: bool = False
) -> pd.Series:
    number = df["house_number"].fillna("")
    if with_number is not None:
        number = number.where(with_number, "")
    first = (number + " " + df["street"].fillna("")).str.strip()
    town = df["town"].fillna("")
    if upper:
        first, town = first.str.upper(), town.str.upper()
    parts = [first, town, df["postcode"].fillna("")]
    line = parts[0]
    for p in parts[1:]:
        line = line + np.where((line != "") & (p != ""), ", ", "") + p
    return line


def _join_full_name(
    fore: pd.Series, middle: pd.Series, sur: pd.Series, style: np.ndarray
) -> pd.Series:
    """'SURNAME, Forename Middle' or 'Forename Middle Surname', per record style."""
    given = (fore.fillna("") + " " + middle.fillna("")).str.strip()
    comma = sur.fillna("").str.upper() + ", " + given
    plain = given + " " + sur.fillna("")
    return pd.Series(np.where(style, comma, plain), index=fore.index).str.strip(" ,")


def write_extracts(rec: pd.DataFrame, extracts: Path, rng: np.random.Generator) -> dict[str, Path]:
    """Write each source's records in that system's own columns and formats."""
    extracts.mkdir(parents=True, exist_ok=True)
    paths = {}
    # Only the columns the writers use: copying the whole record table four times was slow.
    used = [
        "source_system",
        "source_record_id",
        "event_ref",
        "role",
        "date",
        "forename",
        "middle_name",
        "surname",
        "date_of_birth",
        "sex",
        "house_number",
        "street",
        "town",
        "postcode",
        "phone",
        "email",
        "pnc_id",
        "grading",
        "district_code",
        "lsoa_code",
        "incident_type",
        "vrm",
        "err_row_cut_short",
    ]
    system = rec["source_system"].to_numpy()
    by_source = {s: rec.loc[system == s, used] for s in SOURCES}
    sex_words = {"M": "Male", "F": "Female"}

    d = by_source[CRIME_RECORDS]
    out = pd.DataFrame(
        {
            "NOMINAL_ID": d["source_record_id"],
            "CRIME_REF": d["event_ref"],
            "INVOLVEMENT": d["role"].str.upper(),
            "SURNAME": d["surname"].str.upper(),
            "FORENAMES": (d["forename"] + " " + d["middle_name"].fillna("")).str.strip(),
            "DOB": d["date_of_birth"],
            "SEX": d["sex"],
            "HOUSE_NO": d["house_number"],
            "STREET": d["street"],
            "TOWN": d["town"],
            "POSTCODE": d["postcode"],
            "TELEPHONE": _format_phone(d["phone"], rng, ["plain", "spaced"]),
            "EMAIL": d["email"],
            "DATE_RECORDED": d["date"],
        }
    )
    paths[CRIME_RECORDS] = extracts / EXTRACT_FILES[CRIME_RECORDS]
    _write_extract(out, paths[CRIME_RECORDS], {"DOB": "%Y-%m-%d", "DATE_RECORDED": "%Y-%m-%d"})

    d = by_source[CUSTODY]
    out = pd.DataFrame(
        {
            "CustodyNo": d["source_record_id"],
            "ArrestRef": d["event_ref"],
            "PNCID": d["pnc_id"],
            "Surname": d["surname"],
            "Forename": d["forename"],
            "MiddleNames": d["middle_name"],
            "DateOfBirth": d["date_of_birth"],
            "Gender": d["sex"].map(sex_words),
            "HomeAddress": _join_address(d),
            "ContactNumber": _format_phone(d["phone"], rng, ["intl", "intl", "plain"]),
            "ArrestDate": d["date"],
        }
    )
    paths[CUSTODY] = extracts / EXTRACT_FILES[CUSTODY]
    _write_extract(out, paths[CUSTODY], {"DateOfBirth": "%d/%m/%Y", "ArrestDate": "%d/%m/%Y"})

    d = by_source[INTELLIGENCE]
    style = rng.random(len(d)) < 0.6
    # Intelligence often knows the street but not the house.
    with_number = rng.random(len(d)) < 0.6
    out = pd.DataFrame(
        {
            "subject_ref": d["source_record_id"],
            "report_ref": d["event_ref"],
            "report_date": d["date"],
            "grading": d["grading"],
            "district": d["district_code"],
            "subject_name": _join_full_name(d["forename"], d["middle_name"], d["surname"], style),
            "dob": d["date_of_birth"],
            "sex": d["sex"].map({"M": "male", "F": "female"}),
            "last_known_address": _join_address(d, with_number),
            "phone": _format_phone(d["phone"], rng, ["plain", "spaced", "intl_plain"]),
            "pnc": d["pnc_id"],
            "vehicles": d["vrm"],
        }
    )
    paths[INTELLIGENCE] = extracts / EXTRACT_FILES[INTELLIGENCE]
    _write_extract(out, paths[INTELLIGENCE], {"report_date": "%d-%b-%Y", "dob": "%d-%b-%Y"})

    d = by_source[INCIDENTS]
    call_time = d["date"] + pd.to_timedelta(rng.integers(0, 24 * 60, len(d)), unit="min")
    # Call handlers type names as heard: some all in capitals, some all in lower case.
    name = _join_full_name(
        d["forename"],
        d["middle_name"].where(rng.random(len(d)) < 0.3),
        d["surname"],
        np.zeros(len(d), dtype=bool),
    )
    case = rng.integers(0, 3, len(d))
    name = pd.Series(
        np.select([case == 0, case == 1], [name.str.upper(), name.str.lower()], name), index=d.index
    )
    out = pd.DataFrame(
        {
            "INCIDENT_NO": d["event_ref"],
            "CALL_DATETIME": call_time,
            "INCIDENT_TYPE": d["incident_type"],
            "LSOA": d["lsoa_code"],
            "PERSON_REF": d["source_record_id"],
            "PERSON_TYPE": d["role"].map({"caller": "CALLER", "subject": "INVOLVED"}),
            "NAME": name,
            "DOB": d["date_of_birth"],
            "PHONE": _format_phone(d["phone"], rng, ["plain", "spaced", "intl", "brackets"]),
            "ADDRESS": _join_address(d, upper=True),
        }
    )
    paths[INCIDENTS] = extracts / EXTRACT_FILES[INCIDENTS]
    _write_extract(out, paths[INCIDENTS], {"CALL_DATETIME": "%d/%m/%Y %H:%M", "DOB": "%d/%m/%Y"})
    _cut_rows_short(paths[INCIDENTS], d["err_row_cut_short"].to_numpy(), keep_fields=6)
    return paths


def _cut_rows_short(path: Path, cut: np.ndarray, keep_fields: int) -> None:
    """Break the flagged rows of a written CSV as a failing export does: only the first
    ``keep_fields`` fields survive. Rows are one line each (no value holds a line break)."""
    if not cut.any():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for row in np.flatnonzero(cut):
        fields = next(csv.reader([lines[row + 1]]))[:keep_fields]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(fields)
        lines[row + 1] = buffer.getvalue()
    path.write_text("".join(lines), encoding="utf-8")


def _write_extract(frame: pd.DataFrame, path: Path, date_formats: dict[str, str]) -> None:
    """Write one extract (CSV, or Parquet by its suffix) as text, dates in the system's format.

    DuckDB does the formatting and writing: pandas' strftime and to_csv took most of the time
    of a million-record run.
    """
    frame = frame.copy()
    for col in frame.columns:
        if col not in date_formats:
            frame[col] = frame[col].astype("string").replace("", pd.NA)
    select = ", ".join(
        f'strftime("{col}", \'{date_formats[col]}\') AS "{col}"'
        if col in date_formats
        else f'"{col}"'
        for col in frame.columns
    )
    options = "FORMAT parquet" if path.suffix == ".parquet" else "FORMAT csv, HEADER true"
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("extract", frame)
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT {select} FROM extract) TO '{target}' ({options})")
    finally:
        con.close()


def _assign_record_ids(rec: pd.DataFrame) -> pd.DataFrame:
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


def _attach_true_values(
    rec: pd.DataFrame, persons: pd.DataFrame, addresses: pd.DataFrame
) -> pd.DataFrame:
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


def generate_person_extracts(
    crimes: pd.DataFrame,
    arrests: pd.DataFrame,
    areas: pd.DataFrame,
    out_dir: Path,
    seed: int,
    n_persons: int | None = None,
    max_records: int | None = None,
    progress: Progress | None = None,
) -> dict:
    """Create the persons behind the demo force's crimes and arrests, and write them out.

    Writes four source-system extracts to ``out_dir/extracts/`` and the ground truth to
    ``out_dir/truth/`` (see docs/demo-persons.md). ``crimes`` needs ``crime_key``,
    ``source_record_id``, ``recorded_date``, ``crime_type``, ``district_code`` and
    ``lsoa_code``; ``arrests`` needs ``source_record_id``, ``arrest_date`` and ``crime_key``,
    and may have ``district_code``. ``areas`` gives the towns (districts).
    ``progress`` is an optional ``rich.progress.Progress`` to report the steps on.
    Returns counts and paths. The same seed and inputs give byte-identical files.
    """
    out_dir = Path(out_dir)
    if crimes.empty:
        raise ValueError("No crimes given: the demo persons are drawn for the force's crimes.")
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    c, a = _standardise_events(crimes, arrests)
    dates = pd.concat([c["date"], a["date"]])
    start, end = dates.min().date(), dates.max().date()
    towns = _pick_towns(areas)
    expected = len(c) * SHAPE["records_per_crime"] + len(a)
    n_persons = n_persons or max(50, int(expected / SHAPE["records_per_person"]))

    progress = progress or Progress(disable=True)  # no caller's bar: report nowhere
    task = progress.add_task("Demo persons", total=5)
    persons, addresses, vehicles = build_population(n_persons, rng, towns, start, end)
    progress.advance(task)
    rec = draw_involvements(c, a, persons, vehicles, rng, start, end)
    if max_records is not None and len(rec) > max_records:
        rec = rec.iloc[np.sort(rng.choice(len(rec), max_records, replace=False))]
    rec = _assign_record_ids(rec)
    progress.advance(task)
    rec = _attach_true_values(rec, persons, addresses)
    rec["true_vrm"] = rec["vrm"]
    rec = apply_errors(rec, rng, r, read_nicknames())
    progress.advance(task)
    paths = write_extracts(rec, out_dir / "extracts", rng)
    progress.advance(task)
    truth = write_truth(rec, persons, addresses, vehicles, out_dir / "truth")
    progress.advance(task)

    counts = rec["source_system"].value_counts().reindex(SOURCES).fillna(0).astype(int).to_dict()
    return {
        "persons": int(n_persons),
        "persons_with_records": int(rec["true_person_id"].nunique()),
        "records": len(rec),
        "records_by_source": counts,
        "extracts": {k: str(v) for k, v in paths.items()},
        "truth": {k: str(v) for k, v in truth.items()},
        "seed": seed,
    }


def _pick_towns(areas: pd.DataFrame | None) -> list[str]:
    if areas is not None and len(areas) and {"level", "area_name"} <= set(areas.columns):
        names = areas.loc[areas["level"] == "district", "area_name"].dropna().astype(str).tolist()
        if names:
            return sorted(set(names))
    return FALLBACK_TOWNS


def write_truth(
    rec: pd.DataFrame,
    persons: pd.DataFrame,
    addresses: pd.DataFrame,
    vehicles: pd.DataFrame,
    truth_dir: Path,
) -> dict[str, Path]:
    """Write who every record really is, apart from the extracts."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        name: truth_dir / f"{name}.parquet"
        for name in ("person_records", "persons", "addresses", "vehicles")
    }
    cols = [
        "record_key",
        "true_person_id",
        "source_system",
        "source_record_id",
        "role",
        "address_id",
        "true_vrm",
    ] + [f"err_{k}" for k in ERROR_KINDS]
    recs = rec[cols].rename(columns={"address_id": "true_address_id"})
    recs["true_address_id"] = recs["true_address_id"].astype("Int64")
    recs.to_parquet(paths["person_records"], index=False)
    persons.drop(columns=["offending_weight", "victim_weight"]).to_parquet(
        paths["persons"], index=False
    )
    addresses.to_parquet(paths["addresses"], index=False)
    vehicles.to_parquet(paths["vehicles"], index=False)
    return paths


def synthesise_events(
    n_crimes: int, seed: int, start: date = date(2023, 4, 1), end: date = date(2026, 3, 31)
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Make stand-in crimes, arrests and areas for a population larger than the demo force's."""
    rng = np.random.default_rng(seed + 1)
    span = (end - start).days
    types = np.array(
        [
            "Violence and sexual offences",
            "Anti-social behaviour",
            "Other theft",
            "Burglary",
            "Criminal damage and arson",
            "Vehicle crime",
            "Shoplifting",
            "Public order",
            "Drugs",
        ]
    )
    p = np.array([0.30, 0.18, 0.12, 0.06, 0.09, 0.08, 0.08, 0.06, 0.03])
    districts = [f"CKD{i:02d}" for i in range(1, 11)]
    refs = np.char.add("CR", np.char.zfill(np.arange(1, n_crimes + 1).astype(str), 9))
    crimes = pd.DataFrame(
        {
            "crime_key": np.char.add(f"{CRIME_RECORDS}:", refs),
            "source_record_id": refs,
            "recorded_date": pd.Timestamp(start)
            + pd.to_timedelta(rng.integers(0, span, n_crimes), unit="D"),
            "crime_type": types[rng.choice(len(types), n_crimes, p=p)],
            "district_code": np.array(districts)[rng.integers(0, len(districts), n_crimes)],
        }
    )
    crimes["lsoa_code"] = crimes["district_code"] + "N" + rng.integers(1, 30, n_crimes).astype(str)
    n_arr = int(n_crimes * SHAPE["synthetic_arrests_per_crime"])
    pick = rng.choice(n_crimes, n_arr, replace=False)
    arefs = np.char.add("AR", np.char.zfill(np.arange(1, n_arr + 1).astype(str), 9))
    arrests = pd.DataFrame(
        {
            "arrest_key": np.char.add(f"{CUSTODY}:", arefs),
            "source_record_id": arefs,
            "arrest_date": crimes["recorded_date"].to_numpy()[pick]
            + pd.to_timedelta(rng.integers(0, 30, n_arr), unit="D").to_numpy(),
            "crime_key": crimes["crime_key"].to_numpy()[pick],
        }
    )
    areas = pd.DataFrame(
        {
            "area_code": districts,
            "area_name": FALLBACK_TOWNS + ["Hollins Cross", "Jessop Green"],
            "level": "district",
        }
    )
    return crimes, arrests, areas


def generate_person_population(
    n_records: int, seed: int, out_dir: Path, progress: Progress | None = None
) -> dict:
    """Write exactly ``n_records`` person records (same formats and truth) at any scale.

    For the linkage benchmark: synthetic events stand in for the demo force's, sized so that
    the four extracts together hold ``n_records`` records. ``progress`` as for
    ``generate_person_extracts``.
    """
    per_crime = SHAPE["records_per_crime"] + SHAPE["synthetic_arrests_per_crime"]
    n_crimes = int(n_records / per_crime * 1.1) + 20  # 10% spare: trimmed to n_records
    while True:
        crimes, arrests, areas = synthesise_events(n_crimes, seed)
        summary = generate_person_extracts(
            crimes, arrests, areas, out_dir, seed, max_records=n_records, progress=progress
        )
        if summary["records"] == n_records:
            return summary
        n_crimes = int(n_crimes * 1.3) + 20  # too few records drawn: draw from more events


def load_person_extracts(con, out_dir: Path, progress: Progress | None = None) -> dict:
    """Load the four extracts in ``out_dir/extracts/`` into the warehouse, one batch each,
    through their mappings (``peel/sources/mappings/demo_*.yaml``), replacing any earlier
    demo persons. The truth is not loaded. ``progress`` is an optional
    ``rich.progress.Progress`` to report the loads on."""
    from peel.sources.mapped import MAPPINGS_DIR, load_mapped

    progress = progress or Progress(disable=True)  # no caller's bar: report nowhere
    task = progress.add_task("Loading person extracts", total=len(SOURCES))
    results = {}
    for system in SOURCES:
        results[system] = load_mapped(
            con,
            Path(out_dir) / "extracts" / EXTRACT_FILES[system],
            MAPPINGS_DIR / f"{system}.yaml",
            snapshot=True,  # a new demo replaces the old one whole
        )
        progress.advance(task)
    return results
