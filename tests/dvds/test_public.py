"""The public Clare's Law publication: the declared counts by route and calendar year through
peel.disclosure's small-numbers rule, open without signing in, holding nothing personal."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

from peel.disclosure import TEXTS
from peel.dvds.cases import ROUTES
from peel.dvds.figures import figures
from peel.dvds.public import ALL_YEARS, BOTH_ROUTES, get_months, publish_years, year_periods
from peel.measures.registry import get_measure
from peel.warehouse import connect

MARCH_2026 = date(2026, 3, 1)  # the demo force's last month of data


def test_publish_years_shows_each_declared_count_and_hides_the_small_ones(warehouse):
    _, tables = publish_years(warehouse, MARCH_2026)
    requests = next(t for t in tables if t.title == get_measure("dvds_requests").name)
    periods = year_periods(warehouse, MARCH_2026)
    assert requests.rows == [*periods, ALL_YEARS] and requests.columns == [*ROUTES.values(), BOTH_ROUTES]
    hidden = 0
    for label, (start, end) in periods.items():
        counts = figures(warehouse, start, end)
        for route, name in ROUTES.items():
            cell, count = requests.cells[label][name], counts[route]["dvds_requests"]["value"]
            if 0 < count < 10:
                assert (cell.value, cell.text) == (None, TEXTS["small"])
                hidden += 1
            elif cell.value is not None:
                assert cell.value == count
    assert hidden >= 1  # the demo's 2026 to March holds fewer than 10 Right to Ask requests


def test_year_periods_end_the_last_year_with_the_data(warehouse):
    periods = year_periods(warehouse, MARCH_2026)
    (first,) = warehouse.execute("SELECT min(first_contact) FROM dvds_application").fetchone()
    (last,) = warehouse.execute("SELECT max(first_contact) FROM dvds_application").fetchone()
    spans = list(periods.values())
    assert spans[0][0] == date(first.year, 1, 1)
    assert spans[-1][1] == min(date(2026, 4, 1), last + timedelta(days=1))
    assert list(periods)[-1].startswith("2026 (to ")


def test_get_months_is_empty_before_any_application(peel_home):
    con = connect()
    assert get_months(con) == []
    con.close()


def test_public_clares_law_opens_without_sign_in_and_shows_aggregates_only(client, web_settings, small_demo_home):
    shutil.copyfile(small_demo_home / "warehouse.duckdb", web_settings.home / "warehouse.duckdb")
    assert "/public/clares-law" in client.get("/public").text
    page = client.get("/public/clares-law", params={"month": "2026-03"})
    assert page.status_code == 200 and TEXTS["small"] in page.text
    answer = client.get("/api/public/clares-law", params={"month": "2026-03"})
    assert answer.status_code == 200
    counts = [cell for table in answer.json()["tables"][:-1] for row in table["cells"] for cell in row]
    assert any(cell["hidden"] for cell in counts)
    assert all(cell["value"] is None if cell["hidden"] else cell["value"] == 0 or cell["value"] >= 10
               for cell in counts)
    for text in (page.text, answer.text):  # no application, source record, person or district
        assert "DV20" not in text and "demo_dvds" not in text and "entity:" not in text and "X0700" not in text
