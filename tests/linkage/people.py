"""A small fictional population for linkage tests: persons with 1-4 person records each in
different source systems, with the recording errors police data has (typos, nicknames,
day/month swaps, missing fields), written to a real warehouse with known truth."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from peel.linkage.review import write_decision
from peel.warehouse import connect, open_batch

FORENAMES = ["Robert", "William", "Margaret", "Elizabeth", "James", "Thomas", "Susan",
             "Michael", "Catherine", "Daniel", "Rebecca", "Joseph", "Samuel", "Jessica",
             "Oliver", "Amelia", "Harry", "Isla", "Jack", "Grace", "Noah", "Mia", "Leo", "Ava"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
            "Patel", "Wright", "Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards",
            "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Khan",
            "Begum", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Baker"]
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Margaret": "Maggie", "Elizabeth": "Liz",
             "James": "Jim", "Thomas": "Tom", "Michael": "Mike", "Daniel": "Dan",
             "Joseph": "Joe", "Samuel": "Sam", "Susan": "Sue", "Catherine": "Kate"}
STREETS = ["High Street", "Mill Lane", "Church Road", "Station Road", "Park Avenue",
           "Victoria Street", "Albert Road", "Queens Drive"]
TOWNS = ["Ashby", "Brindle", "Copthorne", "Dunmore"]
SOURCES = ["test_crime", "test_custody", "test_intel", "test_incidents"]


def _typo(word: str, r: random.Random) -> str:
    i = r.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def make_people(n_persons: int = 250, seed: int = 3) -> pd.DataFrame:
    """Person records with a true_person_id column (the truth), ready for person_record."""
    r = random.Random(seed)
    rows = []
    for pid in range(n_persons):
        fore, sur = r.choice(FORENAMES), r.choice(SURNAMES)
        dob = date(1950, 1, 1) + timedelta(days=r.randrange(0, 365 * 55))
        postcode = f"CK{r.randrange(1, 10)} {r.randrange(1, 10)}{r.choice('ABDEFG')}{r.choice('HJLNPQ')}"
        house = str(r.randrange(1, 200))
        street, town = r.choice(STREETS), r.choice(TOWNS)
        phone = "07" + "".join(r.choice("0123456789") for _ in range(9))
        for k in range(r.choice([1, 1, 2, 2, 3, 4])):
            rec = {"forename": fore, "surname": sur, "date_of_birth": dob, "postcode": postcode,
                   "house_number": house, "street": street, "town": town, "phone": phone}
            if k > 0:  # later records carry errors
                e = r.random()
                if e < 0.15:
                    rec["surname"] = _typo(sur, r)
                elif e < 0.25 and fore in NICKNAMES:
                    rec["forename"] = NICKNAMES[fore]
                elif e < 0.32 and dob.day <= 12 and dob.day != dob.month:
                    rec["date_of_birth"] = date(dob.year, dob.day, dob.month)
                elif e < 0.45:
                    rec["date_of_birth"] = None
                if r.random() < 0.4:
                    rec["phone"] = None
                if r.random() < 0.2:
                    rec.update(postcode=None, house_number=None, street=None)
            source = SOURCES[k % len(SOURCES)]
            rows.append({"source_system": source, "source_record_id": f"P{pid:04d}R{k}",
                         "true_person_id": pid, **rec})
    frame = pd.DataFrame(rows)
    frame["record_key"] = frame["source_system"] + ":" + frame["source_record_id"]
    return frame


def load_people(con, people: pd.DataFrame, source_system: str = "test_people") -> None:
    """Write person records (and their resides_at links) in one ingest batch."""
    frame = people.drop(columns=["true_person_id"]).copy()
    frame["date_of_birth"] = pd.to_datetime(frame["date_of_birth"]).dt.date
    con.register("people_frame", frame)
    with open_batch(con, source_system) as batch:
        con.execute(
            """INSERT INTO person_record (record_key, source_system, source_record_id, batch_id,
                   forename, surname, date_of_birth, house_number, street, town, postcode, phone)
               SELECT record_key, source_system, source_record_id, ?, upper(forename),
                   upper(surname), date_of_birth, house_number, upper(street), upper(town),
                   postcode, phone FROM people_frame""", [batch.batch_id])
        con.execute(
            """INSERT INTO pole_link (from_kind, from_key, link_type, to_kind, to_key,
                   source_system, source_record_id, batch_id)
               SELECT 'person_record', record_key, 'resides_at', 'address',
                   postcode || ' / ' || house_number, source_system, source_record_id, ?
               FROM people_frame WHERE postcode IS NOT NULL""", [batch.batch_id])
        batch.rows_read = batch.rows_loaded = len(frame)
    con.unregister("people_frame")


def build_linked_warehouse(folder, seed: int):
    """A warehouse file in ``folder`` holding test people, linked once: (path, people)."""
    from peel.linkage.warehouse_run import link_warehouse
    from peel.warehouse import connect

    warehouse = folder / "warehouse.duckdb"
    people = make_people(seed=seed)
    con = connect(warehouse)
    load_people(con, people)
    con.close()
    link_warehouse(warehouse=warehouse)
    return warehouse, people


def record_decision(record_a: str, record_b: str, decision: str, decided_by: str,
                    reason: str | None = None, warehouse=None) -> None:
    """Write a review decision straight into the warehouse, outside the casebook, for tests of
    the linkage run (people decide through ``peel.linkage.review.decide_pair``)."""
    lo, hi = sorted([record_a, record_b])
    wcon = connect(warehouse)
    try:
        write_decision(wcon, lo, hi, decision, decided_by, datetime.now(UTC), reason, None)
    finally:
        wcon.close()
