"""The demo force's crimes, outcomes and arrests, generated day by day and neighbourhood by
neighbourhood from rates calibrated on real county-force data, with the planted effects
(``data/effects.yaml``) and nothing else.

Everything is vectorised: a crime stream (a crime type, or a subtype where it has one) is a
matrix of Poisson counts, days by neighbourhoods, whose rates are base rate x season x step
change x neighbourhood weight (x the Diwali factor in its window and neighbourhoods).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from peel.demo.calendar import get_diwali_windows
from peel.demo.datafiles import read_data_csv
from peel.demo.force import FORCE_NAME, SOURCE_SYSTEM, Force
from peel.sources.outcomes import load_outcome_mapping

CUSTODY_SOURCE_SYSTEM = "demo_custody"
ASB = "Anti-social behaviour"
UNDER_INVESTIGATION = "Under investigation"
CHARGED = "Suspect charged"
# police.uk's 'Last outcome category' for a charged crime whose court result has not arrived.
AWAITING_COURT = "Awaiting court outcome"
MONTH_COLUMNS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS_PER_MONTH = 365.25 / 12
# An outcome taking longer than this gets an interim 'Under investigation' row first.
INTERIM_AFTER_DAYS = 28
# Outcome lags are capped: an investigation outcome more than two years on is not plausible.
MAX_OUTCOME_LAG_DAYS = 730
# Mean days from a crime to an arrest for it (never after the crime's final outcome).
MEAN_ARREST_LAG_DAYS = 4.0
# Crime against homes is spread by households, everything else by residents.
HOUSEHOLD_SUBTYPES = {"Residential burglary"}
# How much a neighbourhood's crime level varies around what its population alone would give.
NEIGHBOURHOOD_SPREAD_SIGMA = 0.5

CRIME_COLUMNS = [
    "crime_key",
    "source_system",
    "source_record_id",
    "month",
    "recorded_date",
    "force",
    "reported_by",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "district_code",
    "crime_type",
    "crime_subtype",
    "offence_code",
    "last_outcome",
    "context",
]
OUTCOME_COLUMNS = [
    "crime_key",
    "source_system",
    "source_record_id",
    "month",
    "outcome_date",
    "outcome_type",
    "outcome_group",
    "ho_outcome_code",
    "is_positive",
    "flagged",
]
ARREST_COLUMNS = [
    "arrest_key",
    "source_system",
    "source_record_id",
    "arrest_date",
    "crime_key",
    "crime_type",
    "crime_subtype",
    "district_code",
]


@dataclass
class CrimeData:
    """Generated events, with columns as in the warehouse tables (batch_id is added on load)."""

    crimes: pd.DataFrame
    outcomes: pd.DataFrame
    arrests: pd.DataFrame
    truth: dict = field(default_factory=dict)


def read_streams() -> pd.DataFrame:
    """Return one row per crime stream (type and subtype) with its daily base rate and season."""
    types = read_data_csv("crime_types.csv")
    offences = read_data_csv("offences.csv")
    streams = offences.groupby(["crime_type", "crime_subtype"], sort=True, as_index=False)[
        "share"
    ].sum()
    streams = streams.merge(types, on="crime_type", how="left", validate="many_to_one")
    missing = streams[streams["per_month"].isna()]
    if len(missing):
        raise ValueError(
            f"offences.csv: crime type {missing['crime_type'].iloc[0]!r} is not in crime_types.csv."
        )
    return streams


def generate_crime_data(
    force: Force,
    first_day: date,
    last_day: date,
    as_of: date,
    size: float,
    effects: dict,
    rngs: dict[str, np.random.Generator],
) -> CrimeData:
    """Generate crimes recorded ``first_day``..``last_day``, their outcomes and arrests known on ``as_of``."""
    crimes, truth = _generate_crimes(force, first_day, last_day, size, effects, rngs["crimes"])
    outcomes, final = _generate_outcomes(crimes, as_of, rngs["outcomes"], rngs["courts"])
    crimes["last_outcome"] = _get_last_outcomes(crimes, outcomes)
    arrests = _generate_arrests(crimes, final, as_of, rngs["arrests"])
    return CrimeData(
        crimes=crimes[CRIME_COLUMNS],
        outcomes=outcomes[OUTCOME_COLUMNS],
        arrests=arrests,
        truth=truth,
    )


def _generate_crimes(force, first_day, last_day, size, effects, rng):
    """Draw every crime stream's Poisson counts per day and neighbourhood; return the crimes
    (in date order, numbered) and what the Diwali uplift was expected to add."""
    days = pd.date_range(first_day, last_day, freq="D")
    month_index = days.month.to_numpy() - 1
    nbh = force.neighbourhoods
    n_nbh = len(nbh)
    # A neighbourhood's general crime level (town centres have more): fixed over time.
    propensity = rng.lognormal(0.0, NEIGHBOURHOOD_SPREAD_SIGMA, n_nbh)

    diwali = effects["diwali_burglary"]
    windows = get_diwali_windows(
        range(first_day.year, last_day.year + 1), diwali["days_before"], diwali["days_after"]
    )
    window_days = {
        w["year"]: (days >= pd.Timestamp(w["start"])) & (days <= pd.Timestamp(w["end"]))
        for w in windows
    }
    in_window = np.logical_or.reduce([*window_days.values(), np.zeros(len(days), dtype=bool)])
    community = (nbh["hindu_share"] >= diwali["min_hindu_share"]).to_numpy()

    step = effects["step_change"]
    step_from = pd.Timestamp(step["from_month"] + "-01")

    offences = read_data_csv("offences.csv")
    pieces = []
    truth_windows = {
        w["year"]: {"expected_without_uplift": 0.0, "expected_with_uplift": 0.0} for w in windows
    }
    for stream in read_streams().itertuples(index=False):
        daily = stream.per_month / DAYS_PER_MONTH * stream.share * size
        season = np.array([getattr(stream, m) for m in MONTH_COLUMNS], dtype=float)
        day_rate = daily * season[month_index]
        if stream.crime_type == step["crime_type"]:
            day_rate = day_rate * np.where(days >= step_from, step["factor"], 1.0)
        # Residential crime follows households, the rest residents; both scaled by the
        # neighbourhood's crime level and a per-type spread (no two types cluster alike).
        base = (
            nbh["households"] if stream.crime_subtype in HOUSEHOLD_SUBTYPES else nbh["population"]
        )
        weight = base.to_numpy() * propensity * rng.gamma(4.0, 0.25, n_nbh)
        weight = weight / weight.sum()
        rate = np.outer(day_rate, weight)
        if (
            stream.crime_type == diwali["crime_type"]
            and stream.crime_subtype == diwali["crime_subtype"]
        ):
            cells = np.outer(in_window, community)
            for year, mask in window_days.items():
                expected = float(rate[np.ix_(mask, community)].sum())
                truth_windows[year]["expected_without_uplift"] += expected
                truth_windows[year]["expected_with_uplift"] += expected * diwali["factor"]
            rate = np.where(cells, rate * diwali["factor"], rate)
        counts = rng.poisson(rate)
        day_i, nbh_i = np.nonzero(counts)
        repeat = counts[day_i, nbh_i]
        day_i = np.repeat(day_i, repeat)
        nbh_i = np.repeat(nbh_i, repeat)
        codes = offences[
            (offences["crime_type"] == stream.crime_type)
            & (offences["crime_subtype"] == stream.crime_subtype)
        ]
        p = codes["share"].to_numpy(dtype=float)
        code = codes["offence_code"].to_numpy()[
            rng.choice(len(codes), size=len(day_i), p=p / p.sum())
        ]
        pieces.append(
            pd.DataFrame(
                {
                    "day": day_i,
                    "nbh": nbh_i,
                    "crime_type": stream.crime_type,
                    "crime_subtype": stream.crime_subtype or None,
                    "offence_code": code,
                }
            )
        )

    crimes = pd.concat(pieces, ignore_index=True)
    crimes = crimes.sort_values(
        ["day", "nbh", "crime_type", "crime_subtype", "offence_code"], kind="stable"
    )
    crimes = crimes.reset_index(drop=True)
    n = len(crimes)
    day_i = crimes["day"].to_numpy()
    nbh_i = crimes["nbh"].to_numpy()
    recorded = days[day_i]
    ids = "C" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(8)
    street = force.streets[nbh_i, rng.integers(force.streets.shape[1], size=n)]
    out = pd.DataFrame(
        {
            "crime_key": SOURCE_SYSTEM + ":" + ids,
            "source_system": SOURCE_SYSTEM,
            "source_record_id": ids,
            "month": recorded.to_period("M").to_timestamp().date,
            "recorded_date": recorded.date,
            "force": FORCE_NAME,
            "reported_by": FORCE_NAME,
            "longitude": (nbh["longitude"].to_numpy()[nbh_i] + rng.normal(0, 0.006, n)).round(6),
            "latitude": (nbh["latitude"].to_numpy()[nbh_i] + rng.normal(0, 0.004, n)).round(6),
            "location": np.char.add("On or near ", street.astype(str)),
            "lsoa_code": nbh["area_code"].to_numpy()[nbh_i],
            "lsoa_name": nbh["area_name"].to_numpy()[nbh_i],
            "district_code": nbh["parent_code"].to_numpy()[nbh_i],
            "crime_type": crimes["crime_type"].to_numpy(),
            "crime_subtype": crimes["crime_subtype"].to_numpy(),
            "offence_code": crimes["offence_code"].replace("", None).to_numpy(),
            "context": None,
        }
    )
    return out, {"diwali_windows": windows, "diwali_expected": truth_windows}


def _generate_outcomes(
    crimes: pd.DataFrame, as_of: date, rng: np.random.Generator, court_rng: np.random.Generator
):
    """Draw each crime's final investigation outcome and its lag, an interim 'Under
    investigation' row for slow ones and a court result after a charge; keep the rows dated on
    or before ``as_of``. Returns (rows, final investigation outcomes)."""
    shares = read_data_csv("outcome_shares.csv")
    lags = read_data_csv("outcomes.csv").set_index("outcome_type")
    courts = read_data_csv("court_results.csv")
    mapping = load_outcome_mapping().set_index("outcome_type")
    wordings = set(shares["outcome_type"]) | set(lags.index) | set(courts["outcome_type"])
    unknown = sorted(wordings - set(mapping.index))
    if unknown:
        raise ValueError(
            f"Outcome wording(s) {unknown} are not in the police.uk outcome mapping "
            "(peel/sources/mappings/police_uk_outcomes.csv): add them there or fix the demo data files."
        )

    has_outcome = (crimes["crime_type"] != ASB).to_numpy()
    final_type = np.full(len(crimes), None, dtype=object)
    subtype = crimes["crime_subtype"].fillna("").to_numpy()
    ctype = crimes["crime_type"].to_numpy()
    # One draw per (type, subtype): rows with a subtype use the subtype's shares if given.
    for (crime_type, crime_subtype), index in pd.Series(np.arange(len(crimes)))[
        has_outcome
    ].groupby([ctype[has_outcome], subtype[has_outcome]]):
        rows = shares[
            (shares["crime_type"] == crime_type) & (shares["crime_subtype"] == crime_subtype)
        ]
        if rows.empty:
            rows = shares[(shares["crime_type"] == crime_type) & (shares["crime_subtype"] == "")]
        if rows.empty:
            raise ValueError(f"outcome_shares.csv has no row for crime type {crime_type!r}.")
        p = rows["share"].to_numpy(dtype=float)
        final_type[index.to_numpy()] = rows["outcome_type"].to_numpy()[
            rng.choice(len(rows), size=len(index), p=p / p.sum())
        ]

    idx = np.flatnonzero(has_outcome)
    kinds = final_type[idx].astype(str)
    median = lags.loc[kinds, "median_lag_days"].to_numpy(dtype=float)
    sigma = lags.loc[kinds, "lag_sigma"].to_numpy(dtype=float)
    lag = np.ceil(median * np.exp(sigma * rng.standard_normal(len(idx))))
    lag = np.clip(lag, 1, MAX_OUTCOME_LAG_DAYS).astype(int)
    recorded = pd.to_datetime(crimes["recorded_date"].to_numpy()[idx])
    final_date = recorded + pd.to_timedelta(lag, unit="D")

    interim = (lags.loc[kinds, "interim_under_investigation"].to_numpy() == "yes") & (
        lag > INTERIM_AFTER_DAYS
    )
    interim_lag = rng.integers(1, 15, size=len(idx))
    interim_date = recorded + pd.to_timedelta(interim_lag, unit="D")

    final = pd.DataFrame(
        {"row": idx, "outcome_type": kinds, "outcome_date": final_date, "lag": lag}
    )
    # Its own random stream, so court results never shift the draws above.
    charged = np.flatnonzero(kinds == CHARGED)
    p = courts["share"].to_numpy(dtype=float)
    court = court_rng.choice(len(courts), size=len(charged), p=p / p.sum())
    court_lag = np.ceil(
        courts["median_lag_days"].to_numpy(dtype=float)[court]
        * np.exp(
            courts["lag_sigma"].to_numpy(dtype=float)[court]
            * court_rng.standard_normal(len(charged))
        )
    )
    court_date = final_date[charged] + pd.to_timedelta(np.maximum(court_lag, 1), unit="D")
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "row": idx[interim],
                    "outcome_type": UNDER_INVESTIGATION,
                    "outcome_date": interim_date[interim],
                    "order": 0,
                }
            ),
            pd.DataFrame(
                {"row": idx, "outcome_type": kinds, "outcome_date": final_date, "order": 1}
            ),
            pd.DataFrame(
                {
                    "row": idx[charged],
                    "outcome_type": courts["outcome_type"].to_numpy()[court],
                    "outcome_date": court_date,
                    "order": 2,
                }
            ),
        ],
        ignore_index=True,
    )
    # Data is extracted on as_of: later outcomes do not exist yet.
    rows = rows[rows["outcome_date"] <= pd.Timestamp(as_of)]
    rows = rows.sort_values(["row", "order"], kind="stable").reset_index(drop=True)
    mapped = mapping.loc[rows["outcome_type"].to_numpy()]
    out = pd.DataFrame(
        {
            "crime_key": crimes["crime_key"].to_numpy()[rows["row"]],
            "source_system": SOURCE_SYSTEM,
            "source_record_id": crimes["source_record_id"].to_numpy()[rows["row"]],
            "month": rows["outcome_date"].dt.to_period("M").dt.to_timestamp().dt.date.to_numpy(),
            "outcome_date": rows["outcome_date"].dt.date.to_numpy(),
            "outcome_type": rows["outcome_type"].to_numpy(),
            "outcome_group": mapped["outcome_group"].to_numpy(),
            "ho_outcome_code": mapped["ho_outcome_code"].to_numpy(),
            "is_positive": mapped["is_positive"].to_numpy(dtype=bool),
            "flagged": None,
        }
    )
    out["_row"] = rows["row"].to_numpy()
    return out, final


def _get_last_outcomes(crimes: pd.DataFrame, outcomes: pd.DataFrame) -> np.ndarray:
    """The latest outcome row of each crime as of extraction, in police.uk's wording: 'Under
    investigation' when it has none yet, 'Awaiting court outcome' when charged and the court
    has not decided; nothing for anti-social behaviour (police.uk publishes none)."""
    last = np.where(crimes["crime_type"].to_numpy() == ASB, None, UNDER_INVESTIGATION).astype(
        object
    )
    latest = outcomes.drop_duplicates("_row", keep="last")  # rows are in (crime, date) order
    wording = latest["outcome_type"].replace({CHARGED: AWAITING_COURT})
    last[latest["_row"].to_numpy()] = wording.to_numpy()
    return last


def _generate_arrests(
    crimes: pd.DataFrame, final: pd.DataFrame, as_of: date, rng: np.random.Generator
):
    """Arrests for crimes: likelier when a suspect was identified (per final outcome), scaled per
    crime type; on or after the crime, never after its final outcome, none after ``as_of``."""
    probability = read_data_csv("outcomes.csv").set_index("outcome_type")["arrest_probability"]
    factor = read_data_csv("crime_types.csv").set_index("crime_type")["arrest_factor"]
    rows = final["row"].to_numpy()
    ctype = crimes["crime_type"].to_numpy()[rows]
    p = probability.loc[final["outcome_type"]].to_numpy(dtype=float) * factor.loc[ctype].to_numpy(
        dtype=float
    )
    arrested = rng.random(len(rows)) < np.clip(p, 0, 1)
    lag = np.minimum(
        rng.geometric(1 / (1 + MEAN_ARREST_LAG_DAYS), size=len(rows)) - 1, final["lag"].to_numpy()
    )
    recorded = pd.to_datetime(crimes["recorded_date"].to_numpy()[rows])
    arrest_date = recorded + pd.to_timedelta(lag, unit="D")
    keep = arrested & (arrest_date <= pd.Timestamp(as_of))
    rows, arrest_date = rows[keep], arrest_date[keep]
    order = np.lexsort((rows, arrest_date.to_numpy()))
    rows, arrest_date = rows[order], arrest_date[order]
    ids = "A" + pd.Series(np.arange(1, len(rows) + 1)).astype(str).str.zfill(8)
    return pd.DataFrame(
        {
            "arrest_key": CUSTODY_SOURCE_SYSTEM + ":" + ids,
            "source_system": CUSTODY_SOURCE_SYSTEM,
            "source_record_id": ids.to_numpy(),
            "arrest_date": arrest_date.date,
            "crime_key": crimes["crime_key"].to_numpy()[rows],
            "crime_type": crimes["crime_type"].to_numpy()[rows],
            "crime_subtype": crimes["crime_subtype"].to_numpy()[rows],
            "district_code": crimes["district_code"].to_numpy()[rows],
        }
    )[ARREST_COLUMNS]
