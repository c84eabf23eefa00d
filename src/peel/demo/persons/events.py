"""The events the demo persons are involved in: the demo force's crimes and arrests, or, for a
population larger than the force's, stand-in events made up to size.

``standardise_events`` picks the columns the persons generator needs from either; the stand-in
events (``synthesise_events``) have the demo force's shape: its crime types, districts and a
share of arrests (``data/person_shape.yaml``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from peel.demo.persons.parameters import (
    FALLBACK_TOWNS,
    SHAPE,
    STAND_IN_CRIME_TYPES,
    STAND_IN_EXTRA_TOWNS,
)
from peel.demo.persons.systems import CRIME_RECORDS, CUSTODY


def standardise_events(
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
            # the stand-in events of synthesise_events have no district per arrest
            "district_code": arrests["district_code"].to_numpy()
            if "district_code" in arrests
            else None,
        }
    )
    return c, a


def synthesise_events(
    n_crimes: int, seed: int, start: date = date(2023, 4, 1), end: date = date(2026, 3, 31)
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Make stand-in crimes, arrests and areas for a population larger than the demo force's."""
    rng = np.random.default_rng(seed + 1)
    span = (end - start).days
    types = np.array(list(STAND_IN_CRIME_TYPES))
    p = np.array(list(STAND_IN_CRIME_TYPES.values()))
    towns = FALLBACK_TOWNS + STAND_IN_EXTRA_TOWNS
    districts = [f"CKD{i:02d}" for i in range(1, len(towns) + 1)]
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
            "area_name": towns,
            "level": "district",
        }
    )
    return crimes, arrests, areas
