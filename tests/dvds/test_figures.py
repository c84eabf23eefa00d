"""Clare's Law figures against an independent count of the generated applications (pandas,
not the declared SQL), per calendar and financial year, and the Home Office return's shape."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from peel.dvds.figures import RETURN_COLUMNS, annual_return, figures, period, recognition_started


def _apps(con) -> pd.DataFrame:
    apps = con.execute("SELECT * FROM dvds_application").df()
    for column in ("first_contact", "disclosed", "closed"):
        apps[column] = pd.to_datetime(apps[column])
    return apps


@pytest.mark.parametrize("year", ["2024", "2025", "2024/25", "2025/26"])
def test_figures_match_an_independent_count_of_the_applications(warehouse, year):
    start, end, _ = period(year)
    apps = _apps(warehouse)
    within = lambda s: (s >= pd.Timestamp(start)) & (s < pd.Timestamp(end))
    got = figures(warehouse, start, end)
    for route, rows in apps.groupby("route"):
        cases = rows[rows["became_case"] & within(rows["closed"])]
        on_time = ((cases["closed"] - cases["first_contact"]).dt.days <= 28).sum()
        assert got[route]["dvds_requests"]["value"] == within(rows["first_contact"]).sum()
        assert got[route]["dvds_cases"]["value"] == (within(rows["first_contact"]) & rows["became_case"]).sum()
        assert got[route]["dvds_disclosures"]["value"] == within(rows["disclosed"]).sum()
        assert (got[route]["dvds_within_28_days"]["numerator"], got[route]["dvds_within_28_days"]["denominator"]) == (
            on_time, len(cases))


def test_right_to_know_requests_rise_after_recognition_started(warehouse):
    started = recognition_started()
    before = figures(warehouse, started.replace(year=started.year - 1), started)
    after = figures(warehouse, started, started.replace(year=started.year + 1))
    know = "right_to_know"
    assert after[know]["dvds_requests"]["value"] > 3 * before[know]["dvds_requests"]["value"]


def test_annual_return_is_one_row_in_the_home_office_shape(warehouse):
    rows = list(csv.reader(io.StringIO(annual_return(warehouse, "Chalkshire", 2024))))
    assert tuple(rows[0]) == RETURN_COLUMNS and len(rows) == 2
    start, end, _ = period("2024/25")
    got = figures(warehouse, start, end)
    assert rows[1] == ["Chalkshire", "2024/25", str(got["right_to_ask"]["dvds_requests"]["value"]),
                       str(got["right_to_ask"]["dvds_disclosures"]["value"]),
                       str(got["right_to_know"]["dvds_requests"]["value"]),
                       str(got["right_to_know"]["dvds_disclosures"]["value"])]
