"""A small warehouse whose every figure can be counted by hand."""

from datetime import date

import pytest

from peel.sources.outcomes import sync_outcome_mapping
from peel.warehouse import connect, open_batch


@pytest.fixture
def con(peel_home):
    con = connect()
    with open_batch(con, "test") as batch:
        sync_outcome_mapping(con)
        b = batch.batch_id
        con.executemany(
            "INSERT INTO area (area_code, area_name, level, parent_code, source_system, batch_id) VALUES (?,?,?,?, 'test', ?)",
            [("F", "Testshire", "force", None, b), ("D1", "North", "district", "F", b),
             ("D2", "South", "district", "F", b), ("N1", "North 001A", "neighbourhood", "D1", b),
             ("N2", "South 001A", "neighbourhood", "D2", b)],
        )
        crimes = [
            # key, recorded, type, subtype, district, lsoa
            ("c1", date(2026, 3, 2), "Burglary", "Residential burglary", "D1", "N1"),
            ("c2", date(2026, 3, 5), "Burglary", "Residential burglary", "D1", "N1"),
            ("c3", date(2026, 3, 9), "Burglary", "Business and community burglary", "D2", "N2"),
            ("c4", date(2026, 3, 10), "Burglary", "Residential burglary", "D2", "N2"),
            ("c5", date(2026, 3, 3), "Shoplifting", None, "D1", "N1"),
            ("c6", date(2025, 3, 4), "Burglary", "Residential burglary", "D1", "N1"),
            ("c7", date(2025, 6, 4), "Burglary", "Residential burglary", "D1", "N1"),
            ("c8", date(2024, 3, 4), "Burglary", "Residential burglary", "D2", "N2"),  # the data starts here
        ]
        for key, recorded, ctype, sub, district, lsoa in crimes:
            con.execute(
                """INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, recorded_date,
                       crime_type, crime_subtype, district_code, lsoa_code)
                   VALUES (?, 'test', ?, ?, date_trunc('month', ?::DATE), ?, ?, ?, ?, ?)""",
                [key, key, b, recorded, recorded, ctype, sub, district, lsoa],
            )
        outcomes = [
            ("c1", date(2026, 3, 8), "Suspect charged", True),
            ("c2", date(2026, 3, 6), "Under investigation", False),
            ("c6", date(2025, 3, 9), "Offender given a caution", True),   # solved before the year-earlier snapshot
            ("c7", date(2026, 3, 1), "Local resolution", True),           # older crime solved this month
            ("c4", date(2026, 3, 20), "Suspect charged", True),           # after the snapshot: not counted
        ]
        for key, day, wording, positive in outcomes:
            con.execute(
                """INSERT INTO outcome (crime_key, source_system, source_record_id, batch_id, month, outcome_date,
                       outcome_type, outcome_group, is_positive)
                   VALUES (?, 'test', ?, ?, date_trunc('month', ?::DATE), ?, ?, 'g', ?)""",
                [key, key, b, day, day, wording, positive],
            )
        con.execute(
            """INSERT INTO arrest (arrest_key, source_system, source_record_id, batch_id, arrest_date, crime_key)
               VALUES ('a1', 'test', 'a1', ?, DATE '2026-03-04', 'c1'), ('a2', 'test', 'a2', ?, DATE '2026-03-05', 'c5')""",
            [b, b],
        )
    return con
