"""Certificate and application extracts through the mapping language: all or nothing, each
bad row named by file and line."""

import pytest

from peel.firearms.extract import load_extract
from peel.sources.mapped.batch import ExtractRefused
from peel.sources.mapped.mapping import MappingError

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
def register(holder_h1, tmp_path):
    (tmp_path / "certs.yaml").write_text(MAPPING)
    return holder_h1


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
    assert "nothing was written" in message
    assert register.execute("SELECT count(*) FROM firearms_certificate").fetchone()[0] == 0


HOLDER_MAPPING = """source_system: licensing
record_id: HolderNo
date_formats: ["%d/%m/%Y"]
role: holder
person:
  forename: First
  surname: Last
  date_of_birth: Born
  address: Address
  recorded_date: Registered
"""
HOLDERS = ("HolderNo,First,Last,Born,Address,Registered\n"
           "H7,Ann,Hale,02/03/1970,\"12 Mill Lane, Lanthorne, CK1 2AB\",01/06/2015\n"
           "H8,Ben,Ross,29/02/1980,\"4 Elm Road, Lanthorne, CK2 3CD\",10/10/2019\n")


def test_load_holders_writes_person_records_and_the_register(register, tmp_path):
    (tmp_path / "holders.csv").write_text(HOLDERS)
    (tmp_path / "holders.yaml").write_text(HOLDER_MAPPING)
    assert load_extract(register, tmp_path / "holders.csv", tmp_path / "holders.yaml", "holder") == 2
    rows = register.execute("SELECT h.holder_ref, h.registered_date::VARCHAR, p.surname, p.date_of_birth::VARCHAR, "
                            "p.role, p.postcode FROM firearms_holder h JOIN person_record p USING (record_key) "
                            "ORDER BY 1").fetchall()
    assert rows == [("H7", "2015-06-01", "HALE", "1970-03-02", "holder", "CK1 2AB"),
                    ("H8", "2019-10-10", "ROSS", "1980-02-29", "holder", "CK2 3CD")]
    links = register.execute("SELECT to_key FROM pole_link WHERE link_type = 'resides_at' ORDER BY 1").fetchall()
    assert links == [("CK1 2AB / 12",), ("CK2 3CD / 4",)]  # the addresses linkage puts others at


def test_load_holders_refuses_bad_rows_naming_file_and_line_and_writes_nothing(register, tmp_path):
    bad = HOLDERS + "H9,Cat,Dunn,30/02/1975,\"1 Oak Way, Lanthorne, CK3 4EF\",01/01/2020\n,Dan,Eyre,01/01/1960,,\n"
    (tmp_path / "holders.csv").write_text(bad)
    (tmp_path / "holders.yaml").write_text(HOLDER_MAPPING)
    with pytest.raises(ExtractRefused) as refused:
        load_extract(register, tmp_path / "holders.csv", tmp_path / "holders.yaml", "holder")
    message = " ".join(str(refused.value).split())
    assert "holders.csv, line 4: date_of_birth (Born) needs a date of birth in the formats %d/%m/%Y, and a real day" in message
    assert "holders.csv, line 5: no record id in column HolderNo" in message
    assert register.execute("SELECT count(*) FROM person_record WHERE role = 'holder'").fetchone()[0] == 0
    assert register.execute("SELECT count(*) FROM firearms_holder").fetchone()[0] == 1  # only the fixture's H1


def test_load_holders_refuses_a_mapping_without_the_holder_role(register, tmp_path):
    (tmp_path / "holders.csv").write_text(HOLDERS)
    (tmp_path / "holders.yaml").write_text(HOLDER_MAPPING.replace("role: holder", "role: victim"))
    with pytest.raises(MappingError, match="needs 'role: holder'"):
        load_extract(register, tmp_path / "holders.csv", tmp_path / "holders.yaml", "holder")
