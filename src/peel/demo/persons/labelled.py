"""Labelled person data sets of other shapes than the demo force, for measuring linkage on
data it was not built on: one CSV row per record, with each record's true person.

A ``Shape`` says how the records differ from the truth: how many records each person has,
how old the dates of birth are and how many are missing or mistyped, how often names are
mistyped, swapped, shortened to a nickname or given a title, and whether the name is written
whole ('SMITH, John'). ``SHAPES`` holds the named ones (``historic``: a register of the
19th century with old, mostly missing dates, places and occupations; ``missing_dates``: modern
records, most without a date of birth; ``names_only``: a name and a town). The same shape,
size and seed give the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from faker.providers.person.en_GB import Provider as FakerNames

from peel.demo.persons.errors import _mistype, read_nicknames

TITLES = ["Mr", "Mrs", "Miss", "Dr", "Rev", "Sir"]
OCCUPATIONS = ["labourer", "farmer", "servant", "weaver", "miner", "clerk", "carpenter",
               "blacksmith", "teacher", "shoemaker", "tailor", "baker", "mason", "butcher"]
PLACES = ["Ashby", "Brindle", "Copthorne", "Dunmore", "Eastleigh", "Fenwick", "Glossop",
          "Hatfield", "Ilkley", "Jarrow", "Keswick", "Ludlow", "Malton", "Newark"]


@dataclass(frozen=True)
class Shape:
    """How a data set's records are written, each as a share of records (0 to 1)."""

    born_from: int  # dates of birth between born_from and born_to (years)
    born_to: int
    records_per_person: tuple[int, ...]  # drawn from uniformly
    missing_dob: float
    dob_typo: float  # one digit of the day or month changed (may make an impossible date)
    name_typo: float  # per name part
    swapped: float  # forename and surname swapped
    nickname: float
    title: float
    # Above 0, names are written whole in one column: this share as 'SURNAME, Forename',
    # the rest as '[Title] Forename Surname[, Esq.]'.
    full_name: float
    occupation: bool  # the record has an occupation and a birthplace
    town: bool


SHAPES = {
    "historic": Shape(1780, 1920, (1, 2, 3, 4, 5), missing_dob=0.5, dob_typo=0.1,
                      name_typo=0.25, swapped=0.05, nickname=0.15, title=0.2, full_name=0.4,
                      occupation=True, town=True),
    "missing_dates": Shape(1940, 2005, (1, 2, 3), missing_dob=0.7, dob_typo=0.05,
                           name_typo=0.15, swapped=0.03, nickname=0.1, title=0.05,
                           full_name=0.0, occupation=False, town=True),
    "names_only": Shape(1940, 2005, (1, 2, 3), missing_dob=1.0, dob_typo=0.0, name_typo=0.1,
                        swapped=0.02, nickname=0.1, title=0.1, full_name=0.0,
                        occupation=False, town=True),
}


def _dob_typo(d: date, r: random.Random) -> str:
    """The date as ISO text with one digit of its month or day changed."""
    text = list(d.isoformat())
    i = r.choice([6, 8, 9])
    text[i] = r.choice([c for c in "0123456789" if c != text[i]])
    return "".join(text)


def generate_labelled_set(shape: Shape | str, n_persons: int, seed: int) -> pd.DataFrame:
    """Records of ``n_persons`` fictional persons: ``id``, ``true_person`` and the fields the
    shape has (``forename``, ``surname`` or ``full_name``, ``date_of_birth``, ``town``,
    ``birthplace``, ``occupation``)."""
    shape = SHAPES[shape] if isinstance(shape, str) else shape
    r = random.Random(seed)
    male, female = list(FakerNames.first_names_male), list(FakerNames.first_names_female)
    surnames = list(FakerNames.last_names)
    weights = list(FakerNames.last_names.values())
    nicknames = read_nicknames()
    span = (date(shape.born_to, 12, 31) - date(shape.born_from, 1, 1)).days
    rows = []
    for person in range(n_persons):
        fore = r.choice(male if r.random() < 0.5 else female)
        sur = r.choices(surnames, weights)[0]
        born = date(shape.born_from, 1, 1) + timedelta(days=r.randrange(span))
        town, birthplace, job = r.choice(PLACES), r.choice(PLACES), r.choice(OCCUPATIONS)
        for k in range(r.choice(shape.records_per_person)):
            f, s = fore, sur
            if r.random() < shape.nickname and fore in nicknames:
                f = r.choice(nicknames[fore])
            if r.random() < shape.name_typo:
                f = _mistype(f, r)
            if r.random() < shape.name_typo:
                s = _mistype(s, r)
            if r.random() < shape.swapped:
                f, s = s, f
            title = r.choice(TITLES) + " " if r.random() < shape.title else ""
            dob = None if r.random() < shape.missing_dob else (
                _dob_typo(born, r) if r.random() < shape.dob_typo else born.isoformat())
            row = {"id": f"p{person}-{k}", "true_person": f"p{person}"}
            if shape.full_name:
                suffix = ", Esq." if r.random() < 0.05 else ""
                row["full_name"] = (f"{s.upper()}, {f}" if r.random() < shape.full_name
                                    else f"{title}{f} {s}{suffix}")
            else:
                row["forename"], row["surname"] = title + f, s
            row["date_of_birth"] = dob
            if shape.town:
                row["town"] = town if r.random() < 0.8 else r.choice(PLACES)
            if shape.occupation:
                row["birthplace"] = birthplace if r.random() < 0.9 else None
                row["occupation"] = job if r.random() < 0.7 else r.choice(OCCUPATIONS)
            rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def write_labelled_set(shape: str, n_persons: int, seed: int, folder) -> tuple:
    """Write ``<shape>.csv`` and its mapping ``<shape>.yaml`` (for ``peel link file``) to
    ``folder``; return their paths. The mapping names every person field the shape has and
    compares birthplace and occupation exactly."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate_labelled_set(shape, n_persons, seed)
    data, mapping = folder / f"{shape}.csv", folder / f"{shape}.yaml"
    frame.to_csv(data, index=False)
    person = [c for c in ("forename", "surname", "full_name", "date_of_birth", "town")
              if c in frame]
    exact = [c for c in ("birthplace", "occupation") if c in frame]
    lines = ["record_id: id", "person:", *(f"  {c}: {c}" for c in person)]
    if exact:
        lines.append(f"exact: [{', '.join(exact)}]")
    mapping.write_text("\n".join(lines) + "\n")
    return data, mapping


__all__ = ["SHAPES", "Shape", "generate_labelled_set", "write_labelled_set"]
