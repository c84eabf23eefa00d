"""The demo generator's data files (``peel/demo/data/``), read here and nowhere else.

Every number and word list the generator draws from that someone might want to change lives in
one of these files, each opening with '#' lines that say what it holds: the force's districts
and crime volumes (CSV), the planted effects (``effects.yaml``), the persons' recording errors
and shapes (``person_*``).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd
import yaml

DATA_FOLDER = "peel/demo/data"  # how messages name the folder


def read_data_csv(name: str, dtype: type | None = None) -> pd.DataFrame:
    """Read one CSV data file; '#' lines are notes. ``dtype=str`` keeps every value as written."""
    path = resources.files("peel.demo") / "data" / name
    with path.open(encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", keep_default_na=False, na_values=[], dtype=dtype)


def read_data_yaml(name: str) -> dict:
    """Read one YAML data file, which must hold a mapping (key: value lines)."""
    path = resources.files("peel.demo") / "data" / name
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(values, dict):
        raise TypeError(
            f"{DATA_FOLDER}/{name}: expected 'key: value' lines, found {type(values).__name__}."
        )
    return values
