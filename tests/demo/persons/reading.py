"""Reading what the persons generator wrote, and comparing a measured rate with the declared one."""

from __future__ import annotations

import math

import pandas as pd

from peel.demo.persons import EXTRACT_FILES


def read_extract(out_dir, system) -> pd.DataFrame:
    path = out_dir / "extracts" / EXTRACT_FILES[system]
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_rate_near(measured_share: float, expected: float, n: int, what: str) -> None:
    # Four binomial standard errors, plus a little for the overlaps between kinds of error.
    tolerance = 4 * math.sqrt(max(expected * (1 - expected), 0.0025) / max(n, 1)) + 0.01
    assert abs(measured_share - expected) <= tolerance, (
        f"{what}: measured {measured_share:.3f} over {n} records, declared {expected:.3f}"
    )
