"""The source systems' data-entry errors, measured after loading against the declared rates."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from tests.demo.persons.reading import assert_rate_near

from peel.demo.persons import INTELLIGENCE, SOURCES
from peel.demo.persons.errors import read_nicknames
from peel.demo.persons.parameters import ERROR_RATES


@pytest.mark.parametrize("system", SOURCES)
def test_apply_errors_errs_at_the_declared_rates(measured, system):
    rates = ERROR_RATES[system]
    d = measured[measured["source_system"] == system]
    n = len(d)
    assert n > 100

    missing_dob = d["date_of_birth_raw"].isna().mean()
    assert_rate_near(missing_dob, rates["dob_missing"], n, f"{system} missing date of birth")

    surname_wrong = (d["surname"] != d["true_surname"].str.upper()).mean()
    expected = 1 - (1 - rates["surname_typo"]) * (1 - rates["names_swapped"])
    assert_rate_near(surname_wrong, expected, n, f"{system} surname differs from truth")

    dob = pd.to_datetime(d["true_dob"])
    has = d["date_of_birth"].notna() & (dob.dt.day <= 12) & (dob.dt.day != dob.dt.month)
    e = d[has]
    edob = pd.to_datetime(e["true_dob"])
    swapped = pd.to_datetime(
        pd.DataFrame({"year": edob.dt.year, "month": edob.dt.day, "day": edob.dt.month})
    )
    share = (pd.to_datetime(e["date_of_birth"]) == swapped).mean()
    # Only records whose date of birth survived (not made missing) can show the swap.
    assert_rate_near(share, rates["dob_day_month_swapped"], len(e), f"{system} day/month swapped")

    shorts = {k.upper(): {s.upper() for s in v} for k, v in read_nicknames().items()}
    can = d[d["true_forename"].str.upper().isin(shorts)]
    nick = [f in shorts[t.upper()] for f, t in zip(can["forename"], can["true_forename"])]
    expected = (
        rates["nickname"]
        * (1 - rates["forename_typo"])
        * (1 - rates["names_swapped"])
        * (1 - rates["name_partial"])
    )
    assert_rate_near(sum(nick) / len(nick), expected, len(nick), f"{system} nickname")

    with_phone = d[d["true_phone"].notna()]
    share = with_phone["phone"].isna().mean()
    assert_rate_near(share, rates["phone_missing"], len(with_phone), f"{system} phone missing")

    # Intelligence has the fewest records after a move (about 40 here): the tolerance widens.
    moved = d[(d["true_address_seq"] == 2) & d["postcode"].notna()]
    assert len(moved) > 30, f"{system}: too few records after a move to measure stale addresses"
    stale = (moved["postcode"] == moved["prev_postcode"]).mean()
    assert_rate_near(stale, rates["stale_address"], len(moved), f"{system} stale address")

    partial = d["forename"].isna().mean()
    assert_rate_near(partial, rates["name_partial"], n, f"{system} surname only")

    with_pnc = d[d["true_pnc"].notna()]
    assert len(with_pnc) > 50, f"{system}: too few records of persons with a PNC id"
    share = with_pnc["pnc_id"].isna().mean()
    assert_rate_near(share, rates["pnc_missing"], len(with_pnc), f"{system} PNC id missing")

    with_pc = d[d["postcode"].notna()]
    variant = ~pd.Series(
        [p in (raw or "") for p, raw in zip(with_pc["postcode"], with_pc["address_raw"])]
    )
    assert_rate_near(
        variant.mean(), rates["postcode_variant"], len(with_pc), f"{system} postcode written oddly"
    )


def test_apply_errors_misreads_vehicle_marks_at_the_declared_rate(population, measured):
    con = population["con"]
    mentions = con.execute("""
        SELECT o.source_record_id, o.identifier FROM object o WHERE o.source_system = 'demo_intelligence'
    """).df()
    truth = measured[measured["true_vrm"].notna()][["source_record_id", "true_vrm"]]
    both = truth.merge(mentions, on="source_record_id", how="left")
    assert both["identifier"].notna().all()
    misread = (both["identifier"] != both["true_vrm"].str.replace(" ", "")).mean()
    assert_rate_near(
        misread, ERROR_RATES[INTELLIGENCE]["vrm_typo"], len(both), "vehicle mark misread"
    )
    # A misread mark is still one character from the truth: findable by a fuzzy match.
    wrong = both[both["identifier"] != both["true_vrm"].str.replace(" ", "")]
    assert len(wrong) > 0
    assert all(
        sum(a != b for a, b in zip(x, y.replace(" ", ""))) == 1
        for x, y in zip(wrong["identifier"], wrong["true_vrm"])
    )


def test_read_nicknames_gives_short_forms():
    shorts = read_nicknames()
    assert "Bob" in shorts["Robert"] and "Liz" in shorts["Elizabeth"]
    assert all(re.fullmatch(r"[A-Z][a-z]+", s) for v in shorts.values() for s in v)


def test_apply_errors_refuses_an_error_kind_it_does_not_know(tmp_path, monkeypatch):
    from peel.demo.persons import errors, generate_person_extracts, synthesise_events

    monkeypatch.setattr(errors, "ERROR_KINDS", (*errors.ERROR_KINDS, "teleported"))
    crimes, arrests, areas = synthesise_events(50, seed=1)
    with pytest.raises(ValueError, match="person_errors.csv lists teleported, which the generator"):
        generate_person_extracts(crimes, arrests, areas, tmp_path, seed=1)
