"""Loading person extracts through a declared column mapping."""

from __future__ import annotations

import csv
import textwrap

import pandas as pd
import pytest

from peel.sources.mapped import MAPPINGS_DIR, MappingError, load_mapped, read_mapping
from peel.warehouse import connect

CUSTODY_HEADER = "CustodyNo,ArrestRef,PNCID,Surname,Forename,MiddleNames,DateOfBirth,Gender,HomeAddress,ContactNumber,ArrestDate"


def write(path, text: str):
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_mapping(tmp_path, body: str, name: str = "map.yaml"):
    return write(tmp_path / name, body)


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()


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


def test_load_mapped_fails_naming_a_missing_required_column(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        """
        CustodyNo,ArrestRef,PNCID,Surname,Forename,MiddleNames,Gender,HomeAddress,ContactNumber,ArrestDate
        CU1,A1,,Smith,Jo,,Female,,,01/02/2026
        """,
    )
    with pytest.raises(MappingError) as caught:
        load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    message = str(caught.value)
    assert (
        "'DateOfBirth'" in message and "custody.csv" in message and "demo_custody.yaml" in message
    )
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_load_mapped_quarantines_rows_it_cannot_read_with_file_line_and_reason(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,
        Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        ,A3,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        CU4,A4,,,,,01/02/1990,Male,,,01/02/2026
        CU1,A5,,Green,Di,,01/02/1990,Female,,,01/02/2026
        CU6,,,Green,Di,,01/02/1990,Female,,,01/02/2026
        CU7,A7,,Black,Cy,,01/02/1990,Male,,,01/02/2026
        """,
    )
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_read"], result["rows_loaded"], result["rows_quarantined"]) == (7, 2, 5)
    rows = con.execute("SELECT file, line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [r[1] for r in rows] == [4, 5, 6, 7, 8]
    assert all(r[0] == str(extract) for r in rows)
    reasons = [r[2] for r in rows]
    assert "expected 11 fields" in reasons[0] and "found 8" in reasons[0]
    assert "no record id in column CustodyNo" in reasons[1]
    assert "no name" in reasons[2]
    assert "repeats an earlier row" in reasons[3]
    assert "no event reference in column ArrestRef" in reasons[4]
    assert rows[1][3].startswith(",A3,")
    loaded = {r[0] for r in con.execute("SELECT source_record_id FROM person_record").fetchall()}
    assert loaded == {"CU1", "CU7"}
    batch = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM ingest_batch"
    ).fetchone()
    assert batch == (7, 2, 5)


@pytest.mark.parametrize("line_break_in_a_value", [False, True])
def test_load_mapped_keeps_a_quarantined_row_as_a_csv_line_that_reads_back(
    con, tmp_path, line_break_in_a_value
):
    # Both readers (DuckDB's, and the csv module's when a value holds a line break) keep a
    # refused row quoted as in the file, so a value holding a comma stays one field.
    address = '"1 High Street,\nAshworth"' if line_break_in_a_value else '"1 High Street, Ashworth"'
    no_name = 'CU2,A2,,,,,01/02/1990,Male,"2 Mill Lane, Ashworth",,01/02/2026'
    too_short = 'CU3,A3,,"Smith, Jo",Jo'
    extract = write(
        tmp_path / "custody.csv",
        f"{CUSTODY_HEADER}\nCU1,A1,,Smith,Jo,,01/02/1990,Female,{address},,01/02/2026\n"
        f"{no_name}\n{too_short}\n",
    )
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_loaded"], result["rows_quarantined"]) == (1, 2)
    raws = [raw for (raw,) in con.execute("SELECT raw FROM quarantine ORDER BY line").fetchall()]
    assert raws == [no_name, too_short]
    assert next(csv.reader([raws[0]]))[8] == "2 Mill Lane, Ashworth"


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


def test_load_mapped_reads_parquet_with_vehicles_and_events(con, tmp_path):
    extract = tmp_path / "intel.parquet"
    pd.DataFrame(
        {
            "subject_ref": ["IR-1/1", "IR-1/2", "IR-2/1"],
            "report_ref": ["IR-1", "IR-1", "IR-2"],
            "report_date": ["12-Mar-2025", "12-Mar-2025", "01-Apr-2025"],
            "grading": ["B2", "B2", "C3"],
            "district": ["D1", "D1", "D2"],
            "subject_name": ["SMITH, Jo", "Al Brown", None],
            "dob": [None, "01-Jan-1990", None],
            "sex": ["female", "male", None],
            "last_known_address": ["Mill Lane, Ashworth, CK1 2AB", None, None],
            "phone": [None, None, None],
            "pnc": ["09/1234567X", None, None],
            "vehicles": ["ab12 cde; XY65ABC", None, None],
        }
    ).to_parquet(extract)
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_intelligence.yaml")
    assert (
        result["rows_loaded"],
        result["rows_quarantined"],
        result["events"],
        result["objects"],
    ) == (2, 1, 1, 2)
    # Parquet has no header line: the line is the row number.
    assert con.execute("SELECT line, reason FROM quarantine").fetchone() == (
        3,
        "no name: expected a forename or a surname",
    )
    objects = con.execute(
        "SELECT object_key, identifier, identifier_raw FROM object ORDER BY 1"
    ).fetchall()
    assert objects == [
        ("vehicle:AB12CDE", "AB12CDE", "ab12 cde"),
        ("vehicle:XY65ABC", "XY65ABC", "XY65ABC"),
    ]
    event = con.execute(
        "SELECT event_key, event_type, source_record_id, event_date::VARCHAR, district_code, category FROM event"
    ).fetchall()
    assert event == [("demo_intelligence:IR-1", "intelligence", "IR-1", "2025-03-12", "D1", "B2")]
    drives = con.execute("SELECT count(*) FROM pole_link WHERE link_type = 'drives'").fetchone()[0]
    assert drives == 2
    sex = dict(con.execute("SELECT source_record_id, sex FROM person_record").fetchall())
    assert sex == {"IR-1/1": "F", "IR-1/2": "M"}


def test_load_mapped_replaces_earlier_rows_when_loaded_again(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        """,
    )
    load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM pole_link").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 2


def test_load_mapped_replaces_the_files_earlier_quarantine_rows_when_loaded_again(con, tmp_path):
    rows = f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,,,01/02/2026
        ,A2,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        CU3,A3,,,,,01/02/1990,Male,,,01/02/2026
        """
    first = write(tmp_path / "custody.csv", rows)
    other = write(tmp_path / "custody-march.csv", rows)
    custody = MAPPINGS_DIR / "demo_custody.yaml"

    def quarantined():
        return con.execute(
            "SELECT file, line, batch_id FROM quarantine ORDER BY file, line"
        ).fetchall()

    load_mapped(con, first, custody)
    again = load_mapped(con, first, custody)
    assert quarantined() == [(str(first), 3, again["batch_id"]), (str(first), 4, again["batch_id"])]
    # Another file of the same source keeps the first file's rows, unless it is a snapshot.
    load_mapped(con, other, custody)
    assert {file for file, _, _ in quarantined()} == {str(first), str(other)}
    snap = load_mapped(con, other, custody, snapshot=True)
    assert quarantined() == [(str(other), 3, snap["batch_id"]), (str(other), 4, snap["batch_id"])]


def test_load_mapped_leaves_nothing_when_a_load_fails(con, tmp_path, monkeypatch):
    from peel.sources import mapped

    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        """,
    )

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mapped, "_write_events_objects_links", fail)
    with pytest.raises(RuntimeError):
        load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    for table in ("person_record", "pole_link", "ingest_batch", "quarantine"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


@pytest.mark.parametrize(
    "body, expected",
    [
        ("record_id: id\nrole: x\nperson: {surname: s}\n", "'source_system' is required"),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {nickname: n}\n",
            "unknown person field(s) ['nickname']",
        ),
        ("source_system: s\nrecord_id: id\nperson: {surname: s}\n", "'role' is required"),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\nevent: {kind: meeting, column: c}\n",
            "event needs kind",
        ),
        ("source_system: s\nrecord_id: id\nrole: x\nperson: {sex: g}\n", "person needs a name"),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {full_name: n, surname: s}\n",
            "person.full_name cannot be mapped with ['surname']",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s, address: a, postcode: p}\n",
            "person.address cannot be mapped with ['postcode']",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: 3}\n",
            "must name one column",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\nvehicles: {separator: ','}\n",
            "vehicles needs column",
        ),
        (
            'source_system: "s\'; DROP TABLE x"\nrecord_id: id\nrole: x\nperson: {surname: s}\n',
            "may hold only letters",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\ndate_formats: ['%d/%Q']\n",
            "date format '%d/%Q' is not a strptime format",
        ),
    ],
)
def test_read_mapping_rejects_a_bad_mapping_saying_what_to_fix(tmp_path, body, expected):
    path = write_mapping(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        read_mapping(path)
    assert expected in str(caught.value) and "map.yaml" in str(caught.value)


def test_ingest_mapped_command_loads_a_file_and_reports_counts_without_personal_data(
    peel_home, tmp_path
):
    from typer.testing import CliRunner

    from peel.cli import app

    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        ,A2,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        """,
    )
    result = CliRunner().invoke(
        app,
        ["ingest", "mapped", str(extract), "--mapping", str(MAPPINGS_DIR / "demo_custody.yaml")],
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 loaded, 1 quarantined" in result.output
    assert "Smith" not in result.output and "Brown" not in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 1
    con.close()


def test_ingest_mapped_command_names_the_missing_column(peel_home, tmp_path):
    from typer.testing import CliRunner

    from peel.cli import app

    extract = write(tmp_path / "custody.csv", "CustodyNo,Surname\nCU1,Smith\n")
    result = CliRunner().invoke(
        app, ["ingest", "mapped", str(extract), "-m", str(MAPPINGS_DIR / "demo_custody.yaml")]
    )
    assert result.exit_code == 1
    assert "peel ingest mapped failed" in result.output
    assert "'ArrestRef'" in result.output and "custody.csv" in result.output


def test_read_extract_numbers_lines_the_same_with_either_csv_reader(tmp_path):
    from peel.sources.mapped import _read_csv_line_by_line, _read_csv_with_duckdb

    header = CUSTODY_HEADER.split(",")
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        CU3,A3,,Brown,Al,,01/02/1990,Male,,,01/02/2026,extra
        CU4,A4,,Green,Di,,01/02/1990,Female,,,01/02/2026
        """,
    )
    fast = _read_csv_with_duckdb(extract, header)
    assert fast is not None, "a file with one row per line is read by DuckDB"
    slow = _read_csv_line_by_line(extract, header)
    assert list(fast[0].column("_line").to_pylist()) == list(slow[0]["_line"]) == [2, 5]
    assert [(line, reason) for line, reason, _ in fast[1]] == [
        (line, reason) for line, reason, _ in slow[1]
    ]
    assert [line for line, _, _ in fast[1]] == [3, 4]
    assert fast[0].column("Surname").to_pylist() == ["Smith", "Green"]
    # A value with a line break makes DuckDB's row numbers differ from lines: the careful
    # reader takes over.
    broken = write(
        tmp_path / "broken.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,
        Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        """,
    )
    assert _read_csv_with_duckdb(broken, header) is None


def test_load_mapped_as_a_snapshot_removes_what_the_new_file_no_longer_holds(con, tmp_path):
    first = tmp_path / "intel1.parquet"
    second = tmp_path / "intel2.parquet"
    columns = [
        "subject_ref",
        "report_ref",
        "report_date",
        "grading",
        "district",
        "subject_name",
        "dob",
        "sex",
        "last_known_address",
        "phone",
        "pnc",
        "vehicles",
    ]
    row = [
        "IR-1/1",
        "IR-1",
        "12-Mar-2025",
        "B2",
        "D1",
        "SMITH, Jo",
        None,
        None,
        "Mill Lane, Ashworth, CK1 2AB",
        None,
        None,
        "AB12 CDE",
    ]
    other = [
        "IR-2/1",
        "IR-2",
        "13-Mar-2025",
        "C3",
        "D1",
        "Al Brown",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    pd.DataFrame([row, other], columns=columns).to_parquet(first)
    pd.DataFrame([other], columns=columns).to_parquet(second)
    mapping = MAPPINGS_DIR / "demo_intelligence.yaml"
    load_mapped(con, first, mapping)
    load_mapped(con, second, mapping)  # an update: IR-1/1 stays
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 2
    load_mapped(con, second, mapping, snapshot=True)  # the whole system: IR-1/1 is gone
    counts = [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("person_record", "event", "object")
    ]
    assert counts == [1, 1, 0]
    links = con.execute("SELECT DISTINCT source_record_id FROM pole_link").fetchall()
    assert links == [("IR-2/1",)]


def test_load_mapped_reads_a_real_third_party_file_through_a_mapping(con, tmp_path, linkage_data):
    # Splink's fake_1000 (public linkage test data): not a police system, same loader.
    import csv

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
    for rid, forename, surname, dob, town, email in loaded:
        raw = by_id[rid]
        assert forename == (raw["first_name"].upper() or None)
        assert surname == (raw["surname"].upper() or None)
        assert dob == (raw["dob"] or None)
        assert town == (raw["city"].upper() or None)
        assert email == (raw["email"].lower() or None)


def test_load_mapped_reads_febrl_with_spaced_header_and_compact_dates(con, tmp_path, linkage_data):
    # FEBRL writes ', ' between fields: the header's names start with a space.
    import csv

    source = linkage_data / "febrl" / "dataset1.csv"
    mapping = write_mapping(
        tmp_path,
        """
        source_system: febrl_1
        record_id: rec_id
        role: subject
        date_formats: ["%Y%m%d"]
        person:
          forename: " given_name"
          surname: " surname"
          house_number: " street_number"
          street: " address_1"
          town: " suburb"
          postcode: " postcode"
          date_of_birth: " date_of_birth"
        """,
    )
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    result = load_mapped(con, source, mapping)
    nameless = sum(1 for r in rows if not r[" given_name"].strip() and not r[" surname"].strip())
    assert result["rows_loaded"] == len(rows) - nameless
    parsed = con.execute(
        "SELECT count(*) FROM person_record WHERE date_of_birth IS NOT NULL"
    ).fetchone()[0]
    from datetime import datetime

    def valid(text):
        try:
            datetime.strptime(text.strip(), "%Y%m%d")
            return True
        except ValueError:
            return False

    named = [r for r in rows if r[" given_name"].strip() or r[" surname"].strip()]
    assert parsed == sum(valid(r[" date_of_birth"]) for r in named)
    # Australian postcodes are not UK postcodes: not normalised as one, kept as written.
    row = con.execute(
        "SELECT postcode, address_raw FROM person_record WHERE source_record_id = 'rec-122-org'"
    ).fetchone()
    assert row[0] is None and row[1].endswith("4814")


def test_load_mapped_checks_a_parquet_file_before_reading_it(con, tmp_path):
    extract = tmp_path / "intel.parquet"
    pd.DataFrame({"subject_ref": ["IR-1/1"], "subject_name": ["Jo Smith"]}).to_parquet(extract)
    with pytest.raises(MappingError, match="'report_ref' \\(for event.column\\)"):
        load_mapped(con, extract, MAPPINGS_DIR / "demo_intelligence.yaml")
    broken = write(tmp_path / "broken.parquet", "this is not parquet")
    with pytest.raises(MappingError, match="broken.parquet: cannot be read as Parquet"):
        load_mapped(con, broken, MAPPINGS_DIR / "demo_intelligence.yaml")
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


@pytest.mark.parametrize("line_break_in_a_value", [False, True])
def test_load_mapped_quarantines_a_row_that_is_not_utf8(con, tmp_path, line_break_in_a_value):
    # Both readers (DuckDB's, and the csv module's when a value holds a line break) agree.
    first = (
        'CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,\nAshworth, CK1 1AA",,01/02/2026\n'
        if line_break_in_a_value
        else "CU1,A1,,Smith,Jo,,01/02/1990,Female,,,01/02/2026\n"
    )
    body = (
        (CUSTODY_HEADER + "\n" + first).encode()
        + b"CU2,A2,,Br"
        + b"\xff\xfe"
        + (b"wn,Al,,01/02/1990,Male,,,01/02/2026\n")
    )
    extract = tmp_path / "custody.csv"
    extract.write_bytes(body)
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_loaded"], result["rows_quarantined"]) == (1, 1)
    line, reason = con.execute("SELECT line, reason FROM quarantine").fetchone()
    assert line == (4 if line_break_in_a_value else 3) and "not UTF-8" in reason
