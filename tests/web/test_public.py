"""The public pages: open without signing in, each month's crime figures with small numbers
hidden as the page says, and the JSON holding nothing the page hides."""

from __future__ import annotations

import json
from datetime import date

import pytest

from peel.crime.public import count_month, get_public_months
from peel.sources.outcomes import sync_outcome_mapping
from peel.warehouse import connect, open_batch

from .conftest import sign_in

# (district, crime type, how many, how many of them charged)
CRIMES = [("D1", "Burglary", 25, 12), ("D2", "Burglary", 3, 1), ("D3", "Burglary", 40, 0),
          ("D1", "Robbery", 30, 10), ("D2", "Robbery", 31, 0), ("D3", "Robbery", 60, 15),
          ("D1", "Anti-social behaviour", 50, 0)]


@pytest.fixture
def warehouse(peel_home):
    con = connect()
    fill_warehouse(con)
    yield con
    con.close()


def fill_warehouse(con) -> None:
    """Testshire: three districts, March 2026 complete (data to 2 April)."""
    with open_batch(con, "test") as batch:
        sync_outcome_mapping(con)
        b = batch.batch_id
        con.executemany("INSERT INTO area (area_code, area_name, level, parent_code, source_system, batch_id) "
                        "VALUES (?, ?, ?, ?, 'test', ?)",
                        [("F", "Testshire Police", "force", None, b), ("D1", "Ashby", "district", "F", b),
                         ("D2", "Bourne", "district", "F", b), ("D3", "Colby", "district", "F", b)])
        n = 0
        for district, crime_type, count, charged in CRIMES:
            for i in range(count):
                n += 1
                con.execute("INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, "
                            "recorded_date, crime_type, district_code) VALUES (?, 'test', ?, ?, DATE '2026-03-01', "
                            "DATE '2026-03-10', ?, ?)", [f"c{n}", f"c{n}", b, crime_type, district])
                if i < charged:
                    con.execute("INSERT INTO outcome (crime_key, source_system, source_record_id, batch_id, month, "
                                "outcome_date, outcome_type, outcome_group, is_positive) VALUES (?, 'test', ?, ?, "
                                "DATE '2026-03-01', DATE '2026-03-20', 'Suspect charged', 'g', TRUE)", [f"c{n}", f"c{n}", b])
        con.execute("INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, recorded_date, "
                    "crime_type, district_code) VALUES ('late', 'test', 'late', ?, DATE '2026-04-01', "
                    "DATE '2026-04-02', 'Robbery', 'D1')", [b])


def test_count_month_counts_recorded_and_solved_by_type_and_district(warehouse):
    assert get_public_months(warehouse) == [date(2026, 3, 1)]
    counts = count_month(warehouse, date(2026, 3, 1))
    assert counts.crime_types == ["Burglary", "Robbery"]  # no anti-social behaviour
    assert counts.districts == ["Ashby", "Bourne", "Colby"]
    assert counts.recorded[("Burglary", "Bourne")] == 3 and counts.solved[("Robbery", "Colby")] == 15
    assert counts.as_of == date(2026, 4, 2)


def test_show_publication_opens_without_sign_in_and_hides_small_numbers(client, warehouse):
    warehouse.close()
    index = client.get("/public")
    assert index.status_code == 200 and 'href="/public/crime"' in index.text
    page = client.get("/public/crime")
    assert page.status_code == 200 and "Crime and outcomes: March 2026" in page.text
    assert "Data to 2 April 2026" in page.text and "Counts from 1 to 9 are shown as" in page.text
    assert "Sign out" not in page.text
    published = client.get("/api/public/crime", params={"month": "2026-03"}).json()
    recorded, solved, rates = published["tables"]
    assert recorded["columns"] == ["Ashby", "Bourne", "Colby", "Testshire Police"]
    assert recorded["rows"] == ["Burglary", "Robbery", "All crime (excluding anti-social behaviour)"]
    burglary = [cell["text"] for cell in recorded["cells"][0]]
    assert burglary[1] == "fewer than 10" and "not shown" in burglary  # 3 in Bourne, and its protector
    assert [cell["text"] for cell in recorded["cells"][2]] == ["55", "34", "100", "189"]
    assert solved["cells"][0][1] == {"value": None, "text": "fewer than 10", "hidden": "small"}
    assert rates["cells"][2][3]["text"] == "20%"  # all crime in the force: 38 solved of 189
    assert rates["cells"][1][0]["text"] == "not shown"  # Robbery in Ashby: 10 of 30, hidden to protect Bourne


def test_api_publication_holds_no_hidden_value(client, warehouse):
    warehouse.close()
    published = client.get("/api/public/crime").json()
    hidden = [cell for table in published["tables"] for row in table["cells"] for cell in row if cell["hidden"]]
    assert hidden and all(cell["value"] is None for cell in hidden)
    assert all(set(cell) == {"value", "text", "hidden"} for table in published["tables"]
               for row in table["cells"] for cell in row)
    text = json.dumps(published)
    assert '"value": 3.0' not in text and '"value": 3,' not in text and '"value": 1.0' not in text


def test_show_publication_refuses_an_unknown_month_or_publication(client, warehouse):
    warehouse.close()
    wrong = client.get("/public/crime", params={"month": "2025-01"})
    assert wrong.status_code == 400 and "March 2026 to March 2026" in wrong.text
    assert client.get("/public/lfr-notices").status_code == 404
    assert client.get("/api/public/crime", params={"month": "March"}).status_code == 400


def test_show_publication_without_data_says_none_is_published(client):
    assert "No figures are published yet." in client.get("/public/crime").text
    assert client.get("/api/public/crime").status_code == 404
    assert client.get("/api/public").json()[0] == {"slug": "crime", "title": "Crime and outcomes",
                                                   "description": client.get("/api/public").json()[0]["description"],
                                                   "href": "/public/crime"}


def test_show_publication_is_the_same_for_a_signed_in_user(client, warehouse):
    warehouse.close()
    anonymous = client.get("/api/public/crime").json()
    sign_in(client, "pcc.scrutiny.officer")
    assert client.get("/api/public/crime").json() == anonymous
