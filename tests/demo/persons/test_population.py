"""The true persons: fictional UK formats, households and namesakes at one address."""

from __future__ import annotations

import pandas as pd


def test_build_population_draws_fictional_uk_formats(population):
    truth = population["dir"] / "truth"
    vehicles = pd.read_parquet(truth / "vehicles.parquet")
    assert vehicles["vrm"].str.fullmatch(r"[A-HJ-PR-Y]{2}\d{2} [A-HJ-PR-Y]{3}").all()
    addresses = pd.read_parquet(truth / "addresses.parquet")
    assert addresses["postcode"].str.fullmatch(r"CK\d{1,2} \d[A-Z]{2}").all()
    persons = pd.read_parquet(truth / "persons.parquet")
    assert (
        persons["email"]
        .dropna()
        .str.fullmatch(r"[a-z0-9.'-]+@(mail\.)?example\.(com|org|net)")
        .all()
    )
    assert persons["phone"].dropna().str.fullmatch(r"07\d{9}").all()
    assert persons["pnc_id"].dropna().str.fullmatch(r"\d{2}/\d{7}[A-Z]").all()
    movers = addresses.groupby("true_person_id").size()
    assert 0.15 < (movers == 2).mean() < 0.35


def test_build_population_puts_families_and_namesakes_at_one_address(population):
    truth = population["dir"] / "truth"
    persons = pd.read_parquet(truth / "persons.parquet")
    addresses = pd.read_parquet(truth / "addresses.parquet")
    joined = persons[persons["household_id"] != persons["true_person_id"]]
    assert 0.2 < len(joined) / len(persons) < 0.4
    by_id = persons.set_index("true_person_id")
    host = by_id.loc[joined["household_id"]]
    same_surname = (joined["surname"].to_numpy() == host["surname"].to_numpy()).mean()
    assert 0.7 < same_surname < 0.9
    # Everyone in a household has the household's addresses, moves included.
    first = addresses[addresses["address_seq"] == 1].set_index("true_person_id")
    assert (
        first.loc[joined["true_person_id"], "postcode"].to_numpy()
        == first.loc[joined["household_id"], "postcode"].to_numpy()
    ).all()
    # Namesakes: same forename, surname and address, a generation apart: different people.
    namesakes = joined[
        (joined["forename"].to_numpy() == host["forename"].to_numpy())
        & (joined["surname"].to_numpy() == host["surname"].to_numpy())
    ]
    assert len(namesakes) > 10
    gap = (
        namesakes["date_of_birth"].to_numpy()
        - by_id.loc[namesakes["household_id"], "date_of_birth"].to_numpy()
    )
    # (a few share a common forename by chance, at any age)
    assert (abs(gap) >= pd.Timedelta(days=18 * 365)).mean() > 0.8
    # A phone number or an email address is one person's.
    assert persons["phone"].dropna().is_unique and persons["email"].dropna().is_unique
