"""The generated records: volumes and mix calibrated on the real files, outcomes and arrests
consistent in time, the planted effects present where planted and absent elsewhere."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from peel.demo import read_effects
from peel.demo.calendar import get_diwali_windows
from peel.demo.datafiles import read_data_csv
from peel.warehouse.sql import quote_literal


def _frame(con, sql, params=None):
    return con.execute(sql, params or []).df()


@pytest.fixture(scope="module")
def real_mix(police_uk_dir) -> pd.Series:
    """Share of each crime type in the real Hertfordshire street files."""
    files = quote_literal(police_uk_dir / "*-street.csv")
    counts = duckdb.sql(
        f'SELECT "Crime type" AS t, count(*) AS n FROM read_csv({files}) GROUP BY 1'
    ).df()
    return counts.set_index("t")["n"] / counts["n"].sum()


def test_generate_crime_data_volumes_match_a_county_force(county_demo):
    monthly = _frame(
        county_demo.con,
        """SELECT month, count(*) AS n, count(*) FILTER (crime_type = 'Burglary') AS burglary
           FROM crime WHERE month < DATE '2026-03-01' GROUP BY month""",
    )
    assert len(monthly) == 50
    assert 7_500 <= monthly["n"].mean() <= 9_500
    assert monthly["n"].between(6_500, 11_000).all()
    assert 260 <= monthly["burglary"].mean() <= 370
    # Poisson noise and the Diwali uplift take some months outside the usual range, not many.
    assert monthly["burglary"].between(260, 370).mean() >= 0.75
    assert monthly["burglary"].between(220, 420).all()


def test_generate_crime_data_mix_matches_the_real_files(county_demo, real_mix):
    # Whole years (seasons balance out) before the planted shoplifting step change.
    counts = _frame(
        county_demo.con,
        "SELECT crime_type AS t, count(*) AS n FROM crime WHERE month < DATE '2024-01-01' GROUP BY 1",
    ).set_index("t")["n"]
    mix = counts / counts.sum()
    assert set(mix.index) == set(real_mix.index)
    difference = (mix - real_mix).abs()
    assert difference.max() < 0.01, difference.sort_values().tail(3)


def test_generate_crime_data_classifies_burglary_as_the_home_office_does(county_demo):
    rows = _frame(
        county_demo.con,
        "SELECT crime_subtype, offence_code, count(*) AS n FROM crime WHERE crime_type = 'Burglary' GROUP BY ALL",
    )
    by_subtype = rows.groupby("crime_subtype")["offence_code"].apply(set).to_dict()
    assert by_subtype == {
        "Residential burglary": {"28E", "28F", "28G", "28H"},
        "Business and community burglary": {"30C", "30D"},
    }
    residential = (
        rows.loc[rows["crime_subtype"] == "Residential burglary", "n"].sum() / rows["n"].sum()
    )
    assert 0.65 <= residential <= 0.80
    known = set(read_data_csv("offences.csv")["offence_code"]) - {""}
    codes = _frame(
        county_demo.con, "SELECT DISTINCT offence_code FROM crime WHERE offence_code IS NOT NULL"
    )
    assert set(codes["offence_code"]) <= known


def test_generate_crime_data_crimes_carry_their_area_and_keys(county_demo):
    con = county_demo.con
    problems = con.execute(
        """SELECT count(*) FROM crime c
           LEFT JOIN area n ON n.area_code = c.lsoa_code AND n.level = 'neighbourhood'
           WHERE c.source_system = 'demo_crime_records'
             AND (n.area_code IS NULL OR n.area_name <> c.lsoa_name OR n.parent_code <> c.district_code
                  OR c.crime_key <> 'demo_crime_records:' || c.source_record_id
                  OR c.location NOT LIKE 'On or near %' OR c.force <> 'Chalkshire Constabulary'
                  OR c.month <> date_trunc('month', c.recorded_date)
                  OR abs(c.latitude - n.latitude) > 0.05)"""
    ).fetchone()[0]
    assert problems == 0
    assert con.execute("SELECT count(*) = count(DISTINCT crime_key) FROM crime").fetchone()[0]


def test_generate_crime_data_nothing_exists_after_the_extraction_date(county_demo):
    con = county_demo.con
    assert (
        con.execute("SELECT max(recorded_date) FROM crime").fetchone()[0].isoformat()
        == "2026-03-11"
    )
    assert (
        con.execute("SELECT max(outcome_date) FROM outcome").fetchone()[0].isoformat()
        <= "2026-03-11"
    )
    assert (
        con.execute("SELECT max(arrest_date) FROM arrest").fetchone()[0].isoformat() <= "2026-03-11"
    )


def test_generate_crime_data_outcomes_follow_their_crimes(county_demo):
    lags = _frame(
        county_demo.con,
        """SELECT o.outcome_type, datediff('day', c.recorded_date, o.outcome_date) AS lag,
                  datediff('month', c.month, o.month) AS months
           FROM outcome o JOIN crime c USING (crime_key)""",
    )
    assert (lags["lag"] >= 1).all()
    final = lags[lags["outcome_type"] != "Under investigation"]
    # Weeks to months, as in the real files: most in the month of the crime or the next.
    assert 0.5 <= final["months"].isin([0, 1]).mean() <= 0.85
    assert (final["months"] >= 6).mean() > 0.02
    several = _frame(county_demo.con, "SELECT crime_key, count(*) AS n FROM outcome GROUP BY 1")
    assert (several["n"] >= 2).mean() > 0.2
    assert several["n"].max() == 3  # under investigation, charged, court result
    asb = county_demo.con.execute(
        "SELECT count(*) FROM outcome JOIN crime USING (crime_key) WHERE crime_type = 'Anti-social behaviour'"
    ).fetchone()[0]
    assert asb == 0


def test_generate_crime_data_outcomes_use_the_police_uk_mapping(county_demo):
    unmapped = county_demo.con.execute(
        """SELECT count(*) FROM outcome o LEFT JOIN outcome_mapping m USING (outcome_type)
           WHERE m.outcome_type IS NULL OR m.outcome_group <> o.outcome_group
              OR m.is_positive <> o.is_positive"""
    ).fetchone()[0]
    assert unmapped == 0


def test_generate_crime_data_last_outcome_is_the_latest_outcome_row(county_demo):
    mismatched = county_demo.con.execute(
        """WITH latest AS (
               SELECT crime_key, arg_max(outcome_type, outcome_date) AS outcome_type FROM outcome GROUP BY 1)
           SELECT count(*) FROM crime c LEFT JOIN latest l USING (crime_key)
           WHERE c.last_outcome IS DISTINCT FROM CASE
               WHEN c.crime_type = 'Anti-social behaviour' THEN NULL
               WHEN l.outcome_type = 'Suspect charged' THEN 'Awaiting court outcome'
               ELSE coalesce(l.outcome_type, 'Under investigation') END"""
    ).fetchone()[0]
    assert mismatched == 0


def test_generate_crime_data_burglary_solve_rate_is_five_to_ten_percent(county_demo):
    # Crimes old enough for their outcomes to have settled.
    shares = _frame(
        county_demo.con,
        """SELECT crime_subtype, avg(CASE WHEN m.is_positive THEN 1 ELSE 0 END) AS solved
           FROM crime c JOIN outcome_mapping m ON m.outcome_type = c.last_outcome
           WHERE c.crime_type = 'Burglary' AND c.month < DATE '2025-03-01' GROUP BY 1""",
    ).set_index("crime_subtype")["solved"]
    assert 0.08 <= shares["Residential burglary"] <= 0.12
    assert 0.03 <= shares["Business and community burglary"] <= 0.08


def test_generate_crime_data_arrests_follow_their_crimes(county_demo):
    con = county_demo.con
    bad = con.execute(
        """SELECT count(*) FROM arrest a LEFT JOIN crime c USING (crime_key)
           WHERE c.crime_key IS NULL OR a.arrest_date < c.recorded_date OR a.crime_type <> c.crime_type
              OR a.crime_subtype IS DISTINCT FROM c.crime_subtype OR a.district_code <> c.district_code
              OR a.arrest_key <> 'demo_custody:' || a.source_record_id OR a.source_system <> 'demo_custody'"""
    ).fetchone()[0]
    assert bad == 0
    per_week = con.execute(
        """SELECT count(*) / (datediff('day', DATE '2022-01-01', DATE '2026-03-11') / 7.0)
           FROM arrest WHERE crime_type = 'Burglary'"""
    ).fetchone()[0]
    assert 2 <= per_week <= 8  # a handful a week force-wide
    asb = con.execute(
        "SELECT count(*) FROM arrest WHERE crime_type = 'Anti-social behaviour'"
    ).fetchone()[0]
    assert asb == 0


def _residential_daily(con) -> pd.DataFrame:
    return _frame(
        con,
        """SELECT recorded_date, lsoa_code, count(*) AS n FROM crime
           WHERE crime_subtype = 'Residential burglary' GROUP BY ALL""",
    )


def test_generate_crime_data_plants_the_diwali_uplift_only_in_the_community(county_demo):
    truth = county_demo.summary.effects["diwali_burglary"]
    community = set(truth["neighbourhoods"])
    daily = _residential_daily(county_demo.con)
    daily["recorded_date"] = pd.to_datetime(daily["recorded_date"])
    daily["community"] = daily["lsoa_code"].isin(community)
    windows = get_diwali_windows(
        [2022, 2023, 2024, 2025], truth["days_before"], truth["days_after"]
    )
    for window in windows:
        start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
        inside = daily["recorded_date"].between(start, end)
        # The 30 days either side of the window, same season.
        around = (
            daily["recorded_date"].between(
                start - pd.Timedelta(days=30), end + pd.Timedelta(days=30)
            )
            & ~inside
        )
        days_inside, days_around = (end - start).days + 1, 60
        factor = truth["factor"]
        for in_community, low, high in [(True, factor * 0.5, factor * 1.6), (False, 0.75, 1.3)]:
            group = daily["community"] == in_community
            ratio = (daily.loc[group & inside, "n"].sum() / days_inside) / (
                daily.loc[group & around, "n"].sum() / days_around
            )
            assert low <= ratio <= high, (window["year"], in_community, ratio)


def test_generate_crime_data_plants_seasonality(county_demo):
    monthly = _frame(
        county_demo.con,
        """SELECT crime_type, month, month(month) AS m, count(*) AS n FROM crime
           WHERE month < DATE '2026-03-01' AND crime_subtype IS DISTINCT FROM 'Residential burglary'
           GROUP BY ALL""",
    )
    # Mean per calendar month over the years; business burglary alone has no Diwali uplift.
    mean = monthly.groupby(["crime_type", "m"])["n"].mean()
    winter, summer = [12, 1, 2], [6, 7, 8]
    assert mean["Burglary"][winter].mean() > 1.1 * mean["Burglary"][summer].mean()
    for crime_type in ["Anti-social behaviour", "Violence and sexual offences"]:
        assert mean[crime_type][summer].mean() > 1.12 * mean[crime_type][winter].mean()
    flat = mean["Vehicle crime"]
    assert flat.max() < 1.15 * flat.min()


def test_generate_crime_data_plants_the_shoplifting_step_change(county_demo):
    step = read_effects()["step_change"]
    monthly = _frame(
        county_demo.con,
        """SELECT month, count(*) FILTER (crime_type = ?) AS step, count(*) FILTER (crime_type = 'Other theft') AS other
           FROM crime WHERE month < DATE '2026-03-01' GROUP BY month""",
        [step["crime_type"]],
    )
    after = pd.to_datetime(monthly["month"]) >= pd.Timestamp(step["from_month"] + "-01")
    ratio = monthly.loc[after, "step"].mean() / monthly.loc[~after, "step"].mean()
    assert abs(ratio - step["factor"]) < 0.07
    other = monthly.loc[after, "other"].mean() / monthly.loc[~after, "other"].mean()
    assert abs(other - 1) < 0.06


def test_generate_crime_data_residential_burglary_has_no_trend(county_demo):
    years = county_demo.con.execute(
        """SELECT count(*) FILTER (recorded_date BETWEEN DATE '2024-03-01' AND DATE '2025-02-28'),
                  count(*) FILTER (recorded_date BETWEEN DATE '2025-03-01' AND DATE '2026-02-28')
           FROM crime WHERE crime_subtype = 'Residential burglary'"""
    ).fetchone()
    assert abs(years[1] / years[0] - 1) < 0.07


def test_generate_crime_data_tells_the_march_2026_story(county_demo):
    con = county_demo.con
    recorded, solved = con.execute(
        """SELECT (SELECT count(*) FROM crime WHERE crime_subtype = 'Residential burglary'
                   AND recorded_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-11'),
                  (SELECT count(*) FROM (
                       SELECT min(o.outcome_date) AS first_positive FROM outcome o JOIN crime c USING (crime_key)
                       WHERE c.crime_subtype = 'Residential burglary' AND o.is_positive GROUP BY o.crime_key)
                   WHERE first_positive BETWEEN DATE '2026-03-01' AND DATE '2026-03-11')"""
    ).fetchone()
    # Positive outcomes count once per crime, when first assigned (Home Office framework).
    assert 1 <= solved <= 9
    assert 0.05 <= solved / recorded <= 0.16
    arrests = con.execute(
        """SELECT count(*) FROM arrest WHERE crime_type = 'Burglary'
           AND arrest_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-07'"""
    ).fetchone()[0]
    assert 2 <= arrests <= 9


def test_generate_demo_force_writes_the_truth_apart_from_the_warehouse(county_demo):
    path = county_demo.summary.truth_path
    assert path == county_demo.home / "demo" / "truth" / "effects.json"
    truth = json.loads(path.read_text())
    assert truth == json.loads(json.dumps(county_demo.summary.effects, default=str))
    years = {y["year"]: y for y in truth["diwali_burglary"]["years"]}
    assert set(years) == {"2022", "2023", "2024", "2025"}
    for year in years.values():
        assert year["recorded_in_community_neighbourhoods"] > 2 * year["expected_without_uplift"]
    tables = {
        r[0]
        for r in county_demo.con.execute(
            "SELECT table_name FROM information_schema.tables"
        ).fetchall()
    }
    assert not any("truth" in t or "effect" in t for t in tables)


def _dispersion(counts: pd.Series, expected_shape: pd.Series) -> float:
    """Pearson chi-square per degree of freedom of counts against a expected profile scaled to
    the same total: about 1 for Poisson noise alone, well above 1 when something else moves."""
    expected = expected_shape / expected_shape.sum() * counts.sum()
    return float((((counts - expected) ** 2) / expected).sum() / (len(counts) - 1))


def test_generate_crime_data_plants_nothing_else(county_demo):
    # Every full month, against the declared seasonal profile (times days in the month): crime
    # types and districts with no planted effect vary only as Poisson noise does.
    seasons = read_data_csv("crime_types.csv").set_index("crime_type")
    monthly = _frame(
        county_demo.con,
        """SELECT crime_type, district_code, crime_subtype, month, count(*) AS n FROM crime
           WHERE month < DATE '2026-03-01' GROUP BY ALL""",
    )
    monthly["month"] = pd.to_datetime(monthly["month"])
    months = pd.Series(sorted(monthly["month"].unique()))

    def shape(crime_type: str) -> pd.Series:
        factor = seasons.loc[crime_type, [m.strftime("%b").lower() for m in months]].to_numpy(float)
        return pd.Series(factor * months.dt.days_in_month.to_numpy(), index=months)

    unplanted = set(seasons.index) - {"Burglary", read_effects()["step_change"]["crime_type"]}
    for crime_type in sorted(unplanted):
        counts = monthly[monthly["crime_type"] == crime_type].groupby("month")["n"].sum()
        assert 0.5 <= _dispersion(counts.reindex(months, fill_value=0), shape(crime_type)) <= 1.6, (
            crime_type
        )

    # Residential burglary in the districts without the community: seasonal noise only.
    community_districts = set(county_demo.summary.effects["diwali_burglary"]["districts"])
    residential = monthly[monthly["crime_subtype"] == "Residential burglary"]
    for district, rows in residential.groupby("district_code"):
        if district in community_districts:
            continue
        counts = rows.groupby("month")["n"].sum().reindex(months, fill_value=0)
        assert 0.5 <= _dispersion(counts, shape("Burglary")) <= 1.6, district


def _lag_month_shares(frame: pd.DataFrame) -> pd.Series:
    return frame["months"].clip(upper=4).value_counts(normalize=True).sort_index()


def test_generate_crime_data_outcome_lags_match_the_real_files(county_demo, police_uk_dir):
    # Police outcomes (court results excluded: the real files have none) of crimes recorded in
    # a year's first quarter, by months from crime to outcome, 4 meaning four or more.
    street, outcomes = (quote_literal(police_uk_dir / f"*-{k}.csv") for k in ("street", "outcomes"))
    real = duckdb.sql(
        f"""SELECT datediff('month', strptime(s.Month, '%Y-%m'), strptime(o.Month, '%Y-%m')) AS months
            FROM read_csv({street}) s
            JOIN read_csv({outcomes}) o USING ("Crime ID")
            WHERE s.Month BETWEEN '2021-01' AND '2021-03'"""
    ).df()
    ours = _frame(
        county_demo.con,
        """SELECT datediff('month', c.month, o.month) AS months
           FROM outcome o JOIN crime c USING (crime_key)
           WHERE c.month BETWEEN DATE '2023-01-01' AND DATE '2023-03-01'
             AND o.outcome_group NOT IN ('Not yet assigned an outcome')
             AND NOT (o.outcome_group = 'Charged/Summonsed' AND o.outcome_type <> 'Suspect charged')""",
    )
    difference = (_lag_month_shares(ours) - _lag_month_shares(real)).abs()
    assert difference.max() < 0.06, difference
