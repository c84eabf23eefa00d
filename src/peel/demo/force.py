"""The fictional demo force's areas: the force, its districts and their neighbourhoods.

Codes and names follow police.uk's style so that every part of peel treats them like a real
force's: neighbourhoods are LSOA-like ('X01000001', named '<District> 001A', so the district is
the name without its last token), districts 'X07000001'. Each neighbourhood has made-up
coordinates, census-style population, households and share of Hindu residents; a few of them,
clustered in two districts, have a large Hindu community (the ones the Diwali effect is planted
in).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peel.demo.datafiles import read_data_csv

FORCE_NAME = "Chalkshire Constabulary"
FORCE_CODE = "chalkshire"
SOURCE_SYSTEM = "demo_crime_records"

# A plausible made-up place in the south of England: the force's centre and extent (degrees).
FORCE_CENTRE = (51.80, -0.20)  # latitude, longitude
DISTRICT_SPREAD = (0.22, 0.38)
NEIGHBOURHOOD_SPREAD = 0.025
STREETS_PER_NEIGHBOURHOOD = 6

AREA_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "parent_code",
    "longitude",
    "latitude",
    "population",
    "households",
    "hindu_share",
    "source_system",
    "source_record_id",
]

# Parts of generic street names; combined at random per neighbourhood.
_STREET_FIRST = [
    "Mill",
    "Church",
    "Station",
    "Manor",
    "Orchard",
    "Meadow",
    "Chapel",
    "Park",
    "School",
    "Willow",
    "Beech",
    "Elm",
    "Ash",
    "Rowan",
    "Hazel",
    "Kingfisher",
    "Heron",
    "Sparrow",
    "Brook",
    "Spring",
    "Well",
    "Bridge",
    "Castle",
    "Abbey",
    "Priory",
    "Granary",
    "Tannery",
    "Forge",
    "Kiln",
    "Copse",
    "Warren",
    "Paddock",
    "Hollow",
    "Common",
    "Green",
    "Hill",
]
_STREET_LAST = [
    "Lane",
    "Road",
    "Street",
    "Close",
    "Way",
    "Avenue",
    "Drive",
    "Gardens",
    "Walk",
    "Court",
]


@dataclass
class Force:
    """The generated areas, with what the crime generator needs beside the area table."""

    areas: pd.DataFrame  # rows for the area table (AREA_COLUMNS)
    neighbourhoods: pd.DataFrame  # one row per neighbourhood, in code order, with district
    streets: np.ndarray  # (neighbourhoods, STREETS_PER_NEIGHBOURHOOD) street names


def generate_force(rng: np.random.Generator, min_hindu_share: float) -> Force:
    """Generate the force, its districts and neighbourhoods (sizes from ``data/districts.csv``)."""
    districts = read_data_csv("districts.csv")
    n_districts = len(districts)
    district_codes = [f"X07{i + 1:06d}" for i in range(n_districts)]
    centre_lat, centre_lon = FORCE_CENTRE
    district_lat = centre_lat + rng.uniform(-1, 1, n_districts) * DISTRICT_SPREAD[0]
    district_lon = centre_lon + rng.uniform(-1, 1, n_districts) * DISTRICT_SPREAD[1]

    rows = []
    next_number = 1
    for d, district in districts.iterrows():
        n = int(district["neighbourhoods"])
        lat = district_lat[d] + rng.normal(0, NEIGHBOURHOOD_SPREAD, n)
        lon = district_lon[d] + rng.normal(0, NEIGHBOURHOOD_SPREAD * 1.6, n)
        hindu = np.clip(rng.beta(1.0, 90, n), 0, 0.06)
        k = int(district["hindu_neighbourhoods"])
        if k:
            # One community, in neighbourhoods next to one another: the k nearest to a seed one.
            seed_at = rng.integers(n)
            distance = (lat - lat[seed_at]) ** 2 + ((lon - lon[seed_at]) * 0.62) ** 2
            cluster = np.argsort(distance)[:k]
            hindu[cluster] = rng.uniform(min_hindu_share, 0.40, k)
        population = np.clip(rng.normal(1650, 260, n), 1000, 3000).round().astype(int)
        households = (population / rng.uniform(2.2, 2.6, n)).round().astype(int)
        for i in range(n):
            rows.append(
                {
                    "area_code": f"X01{next_number:06d}",
                    # police.uk LSOA style: 001A, 001B, ... four neighbourhoods per number.
                    "area_name": f"{district['district_name']} {i // 4 + 1:03d}{'ABCD'[i % 4]}",
                    "level": "neighbourhood",
                    "parent_code": district_codes[d],
                    "longitude": round(float(lon[i]), 6),
                    "latitude": round(float(lat[i]), 6),
                    "population": int(population[i]),
                    "households": int(households[i]),
                    "hindu_share": round(float(hindu[i]), 4),
                }
            )
            next_number += 1
    neighbourhoods = pd.DataFrame(rows)

    district_rows = []
    for d, district in districts.iterrows():
        members = neighbourhoods[neighbourhoods["parent_code"] == district_codes[d]]
        district_rows.append(
            {
                "area_code": district_codes[d],
                "area_name": district["district_name"],
                "level": "district",
                "parent_code": FORCE_CODE,
                "longitude": round(float(district_lon[d]), 6),
                "latitude": round(float(district_lat[d]), 6),
                "population": int(members["population"].sum()),
                "households": int(members["households"].sum()),
                "hindu_share": _weighted_share(members),
            }
        )
    force_row = {
        "area_code": FORCE_CODE,
        "area_name": FORCE_NAME,
        "level": "force",
        "parent_code": None,
        "longitude": centre_lon,
        "latitude": centre_lat,
        "population": int(neighbourhoods["population"].sum()),
        "households": int(neighbourhoods["households"].sum()),
        "hindu_share": _weighted_share(neighbourhoods),
    }
    areas = pd.DataFrame([force_row, *district_rows, *rows])
    areas["source_system"] = SOURCE_SYSTEM
    areas["source_record_id"] = areas["area_code"]
    areas = areas[AREA_COLUMNS]

    first = rng.integers(len(_STREET_FIRST), size=(len(neighbourhoods), STREETS_PER_NEIGHBOURHOOD))
    last = rng.integers(len(_STREET_LAST), size=(len(neighbourhoods), STREETS_PER_NEIGHBOURHOOD))
    streets = np.char.add(
        np.char.add(np.array(_STREET_FIRST)[first], " "), np.array(_STREET_LAST)[last]
    )
    return Force(areas=areas, neighbourhoods=neighbourhoods, streets=streets)


def _weighted_share(members: pd.DataFrame) -> float:
    return round(
        float((members["hindu_share"] * members["population"]).sum() / members["population"].sum()),
        4,
    )
