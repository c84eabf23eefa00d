"""The demo force's ground truth: the planted effects with their parameters, and what the
generated records realised of them. Written beside the warehouse, never into it."""

from __future__ import annotations

import pandas as pd

from peel.demo.crimes import CrimeData
from peel.demo.datafiles import read_data_csv
from peel.demo.force import FORCE_NAME, Force


def describe_truth(force: Force, data: CrimeData, effects: dict, **run) -> dict:
    """Describe the planted effects with their parameters and what was realised in the data."""
    diwali = effects["diwali_burglary"]
    nbh = force.neighbourhoods
    community = nbh[nbh["hindu_share"] >= diwali["min_hindu_share"]]
    crimes = data.crimes
    residential = crimes[
        (crimes["crime_type"] == diwali["crime_type"])
        & (crimes["crime_subtype"] == diwali["crime_subtype"])
    ]
    in_community = residential["lsoa_code"].isin(community["area_code"])
    years = []
    for window in data.truth["diwali_windows"]:
        if window["end"] < run["first_day"] or window["start"] > run["last_day"]:
            continue
        dates = residential["recorded_date"]
        inside = (dates >= window["start"]) & (dates <= window["end"])
        expected = data.truth["diwali_expected"][window["year"]]
        years.append(
            {
                **{k: str(v) for k, v in window.items()},
                "complete": bool(
                    window["start"] >= run["first_day"] and window["end"] <= run["last_day"]
                ),
                "expected_without_uplift": round(expected["expected_without_uplift"], 1),
                "expected_with_uplift": round(expected["expected_with_uplift"], 1),
                "recorded_in_community_neighbourhoods": int((inside & in_community).sum()),
                "recorded_elsewhere": int((inside & ~in_community).sum()),
            }
        )

    step = effects["step_change"]
    step_type = crimes[crimes["crime_type"] == step["crime_type"]]
    monthly = step_type.groupby("month").size()
    from_month = pd.Timestamp(step["from_month"] + "-01").date()
    full_months = monthly[[m < run["last_day"].replace(day=1) for m in monthly.index]]
    before = full_months[[m < from_month for m in full_months.index]]
    after = full_months[[m >= from_month for m in full_months.index]]

    seasonality = read_data_csv("crime_types.csv").set_index("crime_type")
    seasonal = seasonality[seasonality.loc[:, "jan":"dec"].nunique(axis=1) > 1].loc[:, "jan":"dec"]
    return {
        "force": FORCE_NAME,
        "run": {k: str(v) for k, v in run.items()},
        "diwali_burglary": {
            **diwali,
            "diwali_dates_from": "holidays.country_holidays('IN'), holiday named 'Diwali'",
            "neighbourhoods": community["area_code"].tolist(),
            "districts": sorted(community["parent_code"].unique().tolist()),
            "years": years,
        },
        "seasonality": {t: row.to_dict() for t, row in seasonal.iterrows()},
        "step_change": {
            **step,
            "full_months_before": len(before),
            "full_months_after": len(after),
            "mean_per_month_before": round(float(before.mean()), 1) if len(before) else None,
            "mean_per_month_after": round(float(after.mean()), 1) if len(after) else None,
        },
        "trend": effects["trend"],
        "not_planted": "No other effect: every other month, area and crime type varies only by chance (Poisson).",
    }
