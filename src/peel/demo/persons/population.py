"""The demo persons' population: who they are, where they live, what they drive.

``build_population`` draws the true persons (names, sex, date of birth, phone, email, PNC id,
households of people living together), each person's addresses (a quarter move house once) and
vehicles. No real person is described: names are drawn independently from Faker's en_GB name
lists, streets are invented (``build_gazetteer``), postcodes use the made-up 'CK' area, phone
numbers are random and email addresses use the reserved example.* domains.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from faker.providers.person.en_GB import Provider as FakerNames

from peel.demo.persons.parameters import (
    EMAIL_DOMAINS,
    FALLBACK_TOWNS,
    INWARD_LETTERS,
    POSTCODE_AREA,
    SHAPE,
    STREET_SUFFIXES,
    VRM_LETTERS,
)


def pick_towns(areas: pd.DataFrame | None) -> list[str]:
    """The towns persons live in: the districts among ``areas``, else the fallback towns."""
    if areas is not None and len(areas) and {"level", "area_name"} <= set(areas.columns):
        names = areas.loc[areas["level"] == "district", "area_name"].dropna().astype(str).tolist()
        if names:
            return sorted(set(names))
    return FALLBACK_TOWNS


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
