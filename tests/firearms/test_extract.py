"""Certificate and application extracts through the mapping language: all or nothing, each
bad row named by file and line."""

import pytest

from peel.firearms.extract import ExtractRefused, load_extract
from peel.warehouse import connect, open_batch

MAPPING = """source_system: licensing
record_id: CertNo
date_formats: ["%d/%m/%Y"]
certificate:
  holder_ref: Holder
  kind: Type
  issued_date: Issued
  expiry_date: Expires
"""
GOOD = "CertNo,Holder,Type,Issued,Expires\nC1,H1,firearm,01/03/2021,01/03/2026\nC2,H1,shotgun,29/02/2024,28/02/2029\n"


@pytest.fixture
def register(peel_home, tmp_path):
    con = connect()
    with open_batch(con, "licensing") as batch:
        con.execute("INSERT INTO firearms_holder VALUES ('H1', 'licensing:H1', DATE '2010-01-01', 'licensing', ?)",
                    [batch.batch_id])
    (tmp_path / "certs.yaml").write_text(MAPPING)
    yield con
    con.close()


def test_load_extract_loads_every_good_row(register, tmp_path):
    (tmp_path / "certs.csv").write_text(GOOD)
    assert load_extract(register, tmp_path / "certs.csv", tmp_path / "certs.yaml", "certificate") == 2
    rows = register.execute("SELECT certificate_ref, kind, expiry_date::VARCHAR, status FROM firearms_certificate "
                            "ORDER BY 1").fetchall()
    assert rows == [("C1", "firearm", "2026-03-01", "current"), ("C2", "shotgun", "2029-02-28", "current")]


def test_load_extract_refuses_bad_rows_naming_file_and_line_and_writes_nothing(register, tmp_path):
    text = GOOD + "C3,H9,firearm,01/01/2022,01/01/2027\nC4,H1,rifle,01/01/2022,01/01/2027\nC5,H1,firearm,30/02/2022,01/01/2027\n"
    (tmp_path / "certs.csv").write_text(text)
    with pytest.raises(ExtractRefused) as refused:
        load_extract(register, tmp_path / "certs.csv", tmp_path / "certs.yaml", "certificate")
    message = str(refused.value)
    assert "certs.csv, line 4: unknown holder" in message
    assert "certs.csv, line 5: kind must be one of firearm, shotgun" in message
    assert "certs.csv, line 6: issued_date (Issued) needs a date in the formats %d/%m/%Y, and a real day" in message
    assert "nothing was loaded" in message
    assert register.execute("SELECT count(*) FROM firearms_certificate").fetchone()[0] == 0
