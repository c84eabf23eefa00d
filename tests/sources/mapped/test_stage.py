"""Normalising a person extract's rows: names, dates, addresses, phones as the mapping says."""

from __future__ import annotations

import csv

from tests.sources.mapped.extracts import CUSTODY_HEADER, write, write_mapping

from peel.sources.mapped import MAPPINGS_DIR, load_mapped, read_mapping


def test_load_mapped_loads_a_custody_extract_normalised(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A00000001,09/1234567X,O'Neill,Robert, James ,12/03/1985,Male,"12A Acacia Road, Caxton Keynes, ck4  7qt",+44 7700 900123,01/02/2026
        CU2,A00000002,,smith, jo,,1/3/1990,Female,"Mill Lane, Ashworth",(07700) 900 124,02/02/2026
        """,
    )
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert result["rows_loaded"] == 2 and result["rows_quarantined"] == 0
    rows = con.execute("""
        SELECT record_key, forename, middle_names, surname, date_of_birth::VARCHAR, date_of_birth_raw, sex,
               house_number, street, town, postcode, phone, pnc_id, role, event_key, recorded_date::VARCHAR
        FROM person_record ORDER BY record_key""").fetchall()
    assert rows[0] == (
        "demo_custody:CU1",
        "ROBERT",
        "JAMES",
        "O'NEILL",
        "1985-03-12",
        "12/03/1985",
        "M",
        "12A",
        "ACACIA ROAD",
        "CAXTON KEYNES",
        "CK4 7QT",
        "07700900123",
        "09/1234567X",
        "arrestee",
        "demo_custody:A00000001",
        "2026-02-01",
    )
    assert rows[1][1:4] == ("JO", None, "SMITH")
    assert rows[1][4] == "1990-03-01"
    assert rows[1][7:11] == (None, "MILL LANE", "ASHWORTH", None)
    assert rows[1][11] == "07700900124"
    links = con.execute("SELECT link_type, to_kind, to_key FROM pole_link ORDER BY 1, 3").fetchall()
    assert ("arrestee", "arrest", "demo_custody:A00000001") in links
    assert ("resides_at", "address", "CK4 7QT / 12A") in links
    batch = con.execute("SELECT source_system, rows_read, rows_loaded FROM ingest_batch").fetchone()
    assert batch == ("demo_custody", 2, 2)


def test_load_mapped_parses_every_date_format_the_demo_mappings_declare(con, tmp_path):
    formats = {
        read_mapping(p).source_system: read_mapping(p).date_formats
        for p in sorted(MAPPINGS_DIR.glob("demo_*.yaml"))
    }
    assert formats["demo_crime_records"] == ["%Y-%m-%d"]
    assert formats["demo_custody"] == ["%d/%m/%Y"]
    assert formats["demo_intelligence"] == ["%d-%b-%Y"]
    # One file using each way the demo systems write a date.
    mapping = write_mapping(
        tmp_path,
        """
        source_system: test_dates
        record_id: id
        date_formats: ["%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%b-%Y"]
        role: subject
        person: {full_name: name, date_of_birth: dob}
        """,
    )
    extract = write(
        tmp_path / "dates.csv",
        """
        id,name,dob
        1,Ann Lee,1985-03-12
        2,Ann Lee,12/03/1985
        3,Ann Lee,12-Mar-1985
        4,Ann Lee,12/03/1985 14:03
        5,Ann Lee,31/02/1985
        """,
    )
    load_mapped(con, extract, mapping)
    got = dict(
        con.execute("SELECT source_record_id, date_of_birth::VARCHAR FROM person_record").fetchall()
    )
    assert got == {
        "1": "1985-03-12",
        "2": "1985-03-12",
        "3": "1985-03-12",
        "4": "1985-03-12",
        "5": None,
    }
    # An impossible date is kept as written, for a person to read, not guessed at.
    raw = con.execute(
        "SELECT date_of_birth_raw FROM person_record WHERE source_record_id = '5'"
    ).fetchone()
    assert raw == ("31/02/1985",)


def test_load_mapped_splits_full_names_written_either_way(con, tmp_path):
    mapping = write_mapping(
        tmp_path,
        """
        source_system: test_names
        record_id: id
        role: {column: kind, values: {CALLER: caller, INVOLVED: subject}}
        person: {full_name: name, phone: phone, email: email}
        """,
    )
    extract = write(
        tmp_path / "names.csv",
        """
        id,kind,name,phone,email
        1,CALLER,"SMITH, John  Paul",07700 900 123,John.Smith@Example.COM
        2,INVOLVED,john paul smith,+447700900123,
        3,INVOLVED,Smith,12345,
        """,
    )
    load_mapped(con, extract, mapping)
    got = con.execute("""SELECT source_record_id, forename, middle_names, surname, full_name_raw, role, phone, email
                         FROM person_record ORDER BY 1""").fetchall()
    assert got[0] == (
        "1",
        "JOHN",
        "PAUL",
        "SMITH",
        "SMITH, John  Paul",
        "caller",
        "07700900123",
        "john.smith@example.com",
    )
    assert got[1] == (
        "2",
        "JOHN",
        "PAUL",
        "SMITH",
        "john paul smith",
        "subject",
        "07700900123",
        None,
    )
    # One word is taken as the surname; a number that is no UK phone number is not kept as one.
    assert got[2][1:4] == (None, None, "SMITH") and got[2][6] is None


def test_load_mapped_reads_a_real_third_party_file_through_a_mapping(con, tmp_path, linkage_data):
    # Splink's fake_1000 (public linkage test data): not a police system, same loader.

    source = linkage_data / "fake_1000.csv"
    mapping = write_mapping(
        tmp_path,
        """
        source_system: splink_fake_1000
        record_id: unique_id
        role: subject
        person: {forename: first_name, surname: surname, date_of_birth: dob, town: city, email: email}
        """,
    )
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    nameless = {i + 2 for i, r in enumerate(rows) if not r["first_name"] and not r["surname"]}
    result = load_mapped(con, source, mapping)
    assert (result["rows_read"], result["rows_loaded"]) == (len(rows), len(rows) - len(nameless))
    lines = {line for (line,) in con.execute("SELECT line FROM quarantine").fetchall()}
    assert lines == nameless
    loaded = con.execute("""SELECT source_record_id, forename, surname, date_of_birth::VARCHAR, town, email
                            FROM person_record""").fetchall()
    by_id = {r["unique_id"]: r for r in rows}
    assert len(loaded) == len(rows) - len(nameless)  # the loop below checks every one
    for rid, forename, surname, dob, town, email in loaded:
        raw = by_id[rid]
        assert forename == (raw["first_name"].upper() or None)
        assert surname == (raw["surname"].upper() or None)
        assert dob == (raw["dob"] or None)
        assert town == (raw["city"].upper() or None)
        assert email == (raw["email"].lower() or None)


def test_load_mapped_reads_a_field_from_several_columns_through_its_value_map(con, tmp_path):
    mapping = write_mapping(
        tmp_path,
        """
        source_system: test_values
        record_id: id
        role: subject
        person: {surname: last, street: [line1, line2], town: town}
        values: {town: {Ldn: London, "St. A": St Albans}}
        """,
    )
    extract = write(
        tmp_path / "values.csv",
        """
        id,last,line1,line2,town
        1,Lee,12 Mill Lane,Flat 2,Ldn
        2,Lee,,Mill Lane,St. A
        3,Lee,,,Paris
        """,
    )
    load_mapped(con, extract, mapping)
    got = con.execute(
        "SELECT source_record_id, street, town FROM person_record ORDER BY 1"
    ).fetchall()
    # Several columns are joined by a space (empty ones skipped); a code the value map does
    # not list is unknown.
    assert got == [
        ("1", "12 MILL LANE FLAT 2", "LONDON"),
        ("2", "MILL LANE", "ST ALBANS"),
        ("3", None, None),
    ]
