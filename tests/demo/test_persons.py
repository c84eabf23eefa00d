"""The demo force's persons: extracts in four formats, errors at declared rates, ground truth."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from peel.demo.persons import (
    CRIME_RECORDS,
    CUSTODY,
    ERROR_RATES,
    EXTRACT_FILES,
    INCIDENTS,
    INTELLIGENCE,
    SOURCES,
    generate_person_extracts,
    generate_person_population,
    load_person_extracts,
    read_nicknames,
    synthesise_events,
)
from peel.warehouse import connect

N_RECORDS = 8000
SEED = 5


def read_extract(out_dir, system) -> pd.DataFrame:
    path = out_dir / "extracts" / EXTRACT_FILES[system]
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """A small population, generated and loaded once for the module (the generator is
    deterministic, so sharing it loses nothing)."""
    out_dir = tmp_path_factory.mktemp("persons")
    summary = generate_person_population(N_RECORDS, SEED, out_dir)
    con = connect(out_dir / "warehouse.duckdb")
    loaded = load_person_extracts(con, out_dir)
    yield {"dir": out_dir, "summary": summary, "con": con, "loaded": loaded}
    con.close()


@pytest.fixture(scope="module")
def measured(population) -> pd.DataFrame:
    """Each loaded record beside the truth of who it is and what was true about them."""
    out = population["dir"] / "truth"
    con = population["con"]
    return con.execute(
        f"""
        SELECT r.*, t.true_person_id, t.true_address_id, t.true_vrm, p.pnc_id AS true_pnc,
               p.forename AS true_forename, p.surname AS true_surname,
               p.date_of_birth::DATE AS true_dob, p.phone AS true_phone,
               a.postcode AS true_postcode, prev.postcode AS prev_postcode,
               a.address_seq AS true_address_seq
        FROM person_record r
        JOIN '{out / "person_records.parquet"}' t USING (record_key)
        JOIN '{out / "persons.parquet"}' p USING (true_person_id)
        LEFT JOIN '{out / "addresses.parquet"}' a
               ON a.true_person_id = t.true_person_id
              AND (a.valid_from IS NULL OR a.valid_from <= r.recorded_date)
              AND (a.valid_to IS NULL OR a.valid_to > r.recorded_date)
        LEFT JOIN '{out / "addresses.parquet"}' prev
               ON prev.true_person_id = t.true_person_id AND prev.address_seq = 1
              AND a.address_seq = 2
        """
    ).df()


def assert_rate_near(measured_share: float, expected: float, n: int, what: str) -> None:
    # Four binomial standard errors, plus a little for the overlaps between kinds of error.
    tolerance = 4 * math.sqrt(max(expected * (1 - expected), 0.0025) / max(n, 1)) + 0.01
    assert abs(measured_share - expected) <= tolerance, (
        f"{what}: measured {measured_share:.3f} over {n} records, declared {expected:.3f}"
    )


def test_generate_person_extracts_is_deterministic_for_a_seed(tmp_path):
    crimes, arrests, areas = synthesise_events(400, seed=1)
    first = generate_person_extracts(crimes, arrests, areas, tmp_path / "a", seed=9)
    second = generate_person_extracts(crimes, arrests, areas, tmp_path / "b", seed=9)
    other = generate_person_extracts(crimes, arrests, areas, tmp_path / "c", seed=10)
    assert first["records"] == second["records"] > 0
    for system in SOURCES:
        a, b = read_extract(tmp_path / "a", system), read_extract(tmp_path / "b", system)
        pd.testing.assert_frame_equal(a, b)
    truth_a = pd.read_parquet(tmp_path / "a" / "truth" / "person_records.parquet")
    truth_b = pd.read_parquet(tmp_path / "b" / "truth" / "person_records.parquet")
    pd.testing.assert_frame_equal(truth_a, truth_b)
    # Another seed, another population.
    assert other["records"] > 0
    assert not read_extract(tmp_path / "a", CUSTODY).equals(read_extract(tmp_path / "c", CUSTODY))


def test_generate_person_extracts_writes_each_source_in_its_own_format(population):
    out = population["dir"]
    headers = {s: tuple(read_extract(out, s).columns) for s in SOURCES}
    assert len(set(headers.values())) == 4
    assert not set(headers[CRIME_RECORDS]) & set(headers[CUSTODY])
    assert (out / "extracts" / EXTRACT_FILES[INTELLIGENCE]).suffix == ".parquet"
    date_patterns = {
        (CRIME_RECORDS, "DOB"): r"\d{4}-\d{2}-\d{2}",
        (CUSTODY, "DateOfBirth"): r"\d{2}/\d{2}/\d{4}",
        (INTELLIGENCE, "dob"): r"\d{2}-[A-Z][a-z]{2}-\d{4}",
        (INCIDENTS, "CALL_DATETIME"): r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}",
    }
    for (system, column), pattern in date_patterns.items():
        values = read_extract(out, system)[column].dropna()
        values = values[values != ""]
        assert len(values) > 0
        assert values.str.fullmatch(pattern).all(), f"{system}.{column} not all {pattern}"
    # Custody and incidents write the address on one line; crime records split it.
    assert "POSTCODE" in headers[CRIME_RECORDS] and "HomeAddress" in headers[CUSTODY]
    # Intelligence writes the name in one field, in two orders.
    names = read_extract(out, INTELLIGENCE)["subject_name"].dropna()
    assert names.str.contains(",").any() and (~names.str.contains(",")).any()


def test_generate_person_extracts_gives_every_record_a_truth_row(population):
    out = population["dir"]
    truth = pd.read_parquet(out / "truth" / "person_records.parquet")
    id_columns = {
        CRIME_RECORDS: "NOMINAL_ID",
        CUSTODY: "CustodyNo",
        INTELLIGENCE: "subject_ref",
        INCIDENTS: "PERSON_REF",
    }
    keys = set()
    for system, column in id_columns.items():
        keys |= set(system + ":" + read_extract(out, system)[column])
    assert keys == set(truth["record_key"])
    assert truth["record_key"].is_unique and truth["true_person_id"].notna().all()
    # The truth is kept apart: no extract carries it.
    for system in SOURCES:
        assert not {"true_person_id", "record_key"} & set(read_extract(out, system).columns)


def test_generate_person_population_produces_the_requested_count(tmp_path):
    summary = generate_person_population(1234, seed=3, out_dir=tmp_path)
    assert summary["records"] == 1234
    assert sum(len(read_extract(tmp_path, s)) for s in SOURCES) == 1234
    assert len(pd.read_parquet(tmp_path / "truth" / "person_records.parquet")) == 1234


def test_generate_person_extracts_puts_the_same_person_in_several_systems(population):
    truth = pd.read_parquet(population["dir"] / "truth" / "person_records.parquet")
    systems = truth.groupby("true_person_id")["source_system"].nunique()
    records = truth.groupby("true_person_id").size()
    assert (systems >= 2).mean() > 0.2
    assert (systems == 4).sum() > 0
    assert (records >= 5).sum() > 20  # repeat offenders and repeat victims


def test_generate_person_extracts_draws_fictional_uk_formats(population):
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


def test_load_person_extracts_loads_every_record_with_its_links(population):
    con, summary = population["con"], population["summary"]
    truth = pd.read_parquet(population["dir"] / "truth" / "person_records.parquet")
    cut = truth[truth["err_row_cut_short"]]
    # Every record loads except the rows the incident export broke: those are quarantined,
    # each with its line and the reason.
    assert 0 < len(cut) < 30 and set(cut["source_system"]) == {INCIDENTS}
    loaded = {k for (k,) in con.execute("SELECT record_key FROM person_record").fetchall()}
    assert loaded == set(truth["record_key"]) - set(cut["record_key"])
    quarantined = con.execute("SELECT source_system, line, reason, raw FROM quarantine").fetchall()
    assert len(quarantined) == len(cut)
    assert all(
        q[0] == INCIDENTS and "expected 10 fields" in q[2] and "found 6" in q[2]
        for q in quarantined
    )
    ids = read_extract(population["dir"], INCIDENTS)["PERSON_REF"].tolist()
    lines = {ids.index(k.split(":", 1)[1]) + 2 for k in cut["record_key"]}
    assert {q[1] for q in quarantined} == lines
    by_source = dict(
        con.execute("SELECT source_system, count(*) FROM person_record GROUP BY 1").fetchall()
    )
    expected = dict(summary["records_by_source"])
    expected[INCIDENTS] -= len(cut)
    assert by_source == expected
    links = dict(
        con.execute(
            "SELECT link_type || '->' || to_kind, count(*) FROM pole_link GROUP BY 1"
        ).fetchall()
    )
    for link in (
        "victim->crime",
        "suspect->crime",
        "arrestee->arrest",
        "subject->event",
        "caller->event",
        "drives->object",
        "resides_at->address",
    ):
        assert links.get(link, 0) > 0, link
    events = dict(con.execute("SELECT event_type, count(*) FROM event GROUP BY 1").fetchall())
    assert events["incident"] > 0 and events["intelligence"] > 0
    # Every record's event is one the loader wrote or one the crime/custody systems hold.
    dangling = con.execute("""
        SELECT count(*) FROM person_record r
        WHERE r.source_system IN ('demo_intelligence', 'demo_incidents')
          AND r.event_key NOT IN (SELECT event_key FROM event)""").fetchone()[0]
    assert dangling == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 4


def test_load_person_extracts_parses_every_date_written(population, measured):
    # Every date of birth the extracts hold parses, and parses to the value written.
    unparsed = measured[measured["date_of_birth_raw"].notna() & measured["date_of_birth"].isna()]
    assert len(unparsed) == 0
    assert measured["recorded_date"].notna().all()
    clean = measured[measured["source_system"] == CUSTODY]
    clean = clean[clean["date_of_birth"].notna()]
    assert (
        pd.to_datetime(clean["date_of_birth"]) == pd.to_datetime(clean["true_dob"])
    ).mean() > 0.97


@pytest.mark.parametrize("system", SOURCES)
def test_generate_person_extracts_errs_at_the_declared_rates(measured, system):
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

    moved = d[(d["true_address_seq"] == 2) & d["postcode"].notna()]
    if len(moved) > 50:
        stale = (moved["postcode"] == moved["prev_postcode"]).mean()
        assert_rate_near(stale, rates["stale_address"], len(moved), f"{system} stale address")

    partial = d["forename"].isna().mean()
    assert_rate_near(partial, rates["name_partial"], n, f"{system} surname only")

    with_pnc = d[d["true_pnc"].notna()]
    if len(with_pnc) > 50:
        share = with_pnc["pnc_id"].isna().mean()
        assert_rate_near(share, rates["pnc_missing"], len(with_pnc), f"{system} PNC id missing")

    with_pc = d[d["postcode"].notna()]
    variant = ~pd.Series(
        [p in (raw or "") for p, raw in zip(with_pc["postcode"], with_pc["address_raw"])]
    )
    assert_rate_near(
        variant.mean(), rates["postcode_variant"], len(with_pc), f"{system} postcode written oddly"
    )


def test_generate_person_extracts_follows_the_demo_force_events(tmp_path, monkeypatch):
    from peel.demo import generate_small_demo_force

    monkeypatch.setenv("PEEL_HOME", str(tmp_path))
    con = connect()
    summary = generate_small_demo_force(con, seed=7)
    assert "skipped" not in summary.persons
    # Victims and suspects point at the force's crimes, arrestees at its arrests.
    unknown = con.execute("""
        SELECT count(*) FROM pole_link l
        WHERE (l.to_kind = 'crime' AND l.to_key NOT IN (SELECT crime_key FROM crime))
           OR (l.to_kind = 'arrest' AND l.to_key NOT IN (SELECT arrest_key FROM arrest))""").fetchone()[
        0
    ]
    assert unknown == 0
    linked = con.execute(
        "SELECT count(*) FROM pole_link WHERE to_kind IN ('crime', 'arrest')"
    ).fetchone()[0]
    assert linked > 100
    # Towns are the force's districts.
    towns = {
        t
        for (t,) in con.execute(
            "SELECT DISTINCT town FROM person_record WHERE town IS NOT NULL"
        ).fetchall()
    }
    districts = {
        n.upper()
        for (n,) in con.execute("SELECT area_name FROM area WHERE level = 'district'").fetchall()
    }
    assert towns <= districts
    con.close()


def test_read_nicknames_gives_short_forms():
    shorts = read_nicknames()
    assert "Bob" in shorts["Robert"] and "Liz" in shorts["Elizabeth"]
    assert all(re.fullmatch(r"[A-Z][a-z]+", s) for v in shorts.values() for s in v)


def test_generate_person_extracts_misreads_vehicle_marks_at_the_declared_rate(population, measured):
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
    assert all(
        sum(a != b for a, b in zip(x, y.replace(" ", ""))) == 1
        for x, y in zip(wrong["identifier"], wrong["true_vrm"])
    )


def test_format_error_rates_is_what_the_docs_page_shows():
    from peel.demo.docs import DOC, SECTION
    from peel.demo.persons import format_error_rates
    from peel.docgen import get_section

    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == format_error_rates(), (
        "docs/demo-persons.md shows other error rates than ERROR_RATES: run python -m peel.demo.docs"
    )


def test_generate_person_extracts_works_without_arrests_and_refuses_no_crimes(tmp_path):
    crimes, arrests, areas = synthesise_events(200, seed=2)
    summary = generate_person_extracts(crimes, arrests.iloc[:0], areas, tmp_path / "a", seed=1)
    assert summary["records_by_source"][CUSTODY] == 0
    assert summary["records_by_source"][CRIME_RECORDS] > 0
    with pytest.raises(ValueError, match="No crimes"):
        generate_person_extracts(crimes.iloc[:0], arrests, areas, tmp_path / "b", seed=1)


def test_generator_and_loader_report_their_steps_on_the_callers_progress_bar(tmp_path):
    from rich.progress import Progress

    crimes, arrests, areas = synthesise_events(200, seed=2)
    bar = Progress(disable=True)  # the caller's: the library opens no display of its own
    generate_person_extracts(crimes, arrests, areas, tmp_path, seed=1, progress=bar)
    con = connect(tmp_path / "warehouse.duckdb")
    load_person_extracts(con, tmp_path, progress=bar)
    con.close()
    steps = [(task.description, task.completed, task.total) for task in bar.tasks]
    assert steps == [("Demo persons", 5, 5), ("Loading person extracts", 4, 4)]


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


def test_load_person_extracts_replaces_an_earlier_demo_whole(tmp_path):
    con = connect(tmp_path / "warehouse.duckdb")
    generate_person_population(1500, seed=1, out_dir=tmp_path / "big")
    load_person_extracts(con, tmp_path / "big")
    small = generate_person_population(600, seed=2, out_dir=tmp_path / "small")
    load_person_extracts(con, tmp_path / "small")
    truth = pd.read_parquet(tmp_path / "small" / "truth" / "person_records.parquet")
    expected = set(truth.loc[~truth["err_row_cut_short"], "record_key"])
    loaded = {k for (k,) in con.execute("SELECT record_key FROM person_record").fetchall()}
    assert loaded == expected and small["records"] == 600
    stale = con.execute("""SELECT count(*) FROM pole_link
                           WHERE from_key NOT IN (SELECT record_key FROM person_record)""").fetchone()[
        0
    ]
    assert stale == 0
    con.close()


def test_demo_persons_command_writes_and_loads_without_printing_personal_data(peel_home, tmp_path):
    from typer.testing import CliRunner

    from peel.cli import app

    out = tmp_path / "population"
    result = CliRunner().invoke(
        app, ["demo-persons", "--records", "500", "--out", str(out), "--load"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 500 person records" in result.output
    truth = pd.read_parquet(out / "truth" / "person_records.parquet")
    persons = pd.read_parquet(out / "truth" / "persons.parquet")
    # No name of anyone in the population reaches the console.
    words = set(result.output.upper().replace(",", " ").split())
    assert not words & set(persons["surname"].str.upper())
    con = connect(read_only=True)
    loaded = con.execute("SELECT count(*) FROM person_record").fetchone()[0]
    con.close()
    assert loaded == len(truth) - int(truth["err_row_cut_short"].sum())
    assert f"Loaded {loaded:,} records" in result.output
