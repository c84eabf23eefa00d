"""The months the public crime pages offer: every complete month from the data's first,
latest first, a month with no crimes between them included."""

from __future__ import annotations

from datetime import date

from peel.crime.public import get_public_months
from peel.warehouse import connect, open_batch


def test_get_public_months_lists_complete_months_latest_first(peel_home):
    con = connect()
    with open_batch(con, "test") as batch:  # January and March 2026; data to 10 April, so April is not complete
        for n, (month, day) in enumerate([("2026-01-01", "2026-01-05"), ("2026-03-01", "2026-03-31"),
                                          ("2026-04-01", "2026-04-10")]):
            con.execute("INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, "
                        "recorded_date, crime_type, district_code) VALUES (?, 'test', ?, ?, ?, ?, 'Robbery', 'D1')",
                        [f"c{n}", f"c{n}", batch.batch_id, month, day])
    assert get_public_months(con) == [date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1)]
    con.close()
