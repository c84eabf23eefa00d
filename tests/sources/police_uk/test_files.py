"""Finding police.uk files: folders and the site's zip alike, and a wrong header refused."""

from __future__ import annotations

import zipfile

import pytest
from tests.sources.police_uk.real_files import (
    copy_months,
    real_lines,
    table_contents,
    warehouse_is_empty,
    write_lines,
)

from peel.sources.police_uk import (
    IngestError,
    ingest_police_uk,
)
from peel.warehouse import connect


def test_ingest_police_uk_from_zip_equals_from_folder(tmp_path, police_uk_dir, monkeypatch):
    folder = copy_months(police_uk_dir, tmp_path / "folder", ["2021-08", "2021-09"])
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.iterdir()):
            z.write(path, f"{path.name[:7]}/{path.name}")  # the site nests files in month folders
        z.writestr("2021-08/2021-08-hertfordshire-stop-and-search.csv", "Type,Date\n")
    contents = {}
    for label, source in (("folder", folder), ("zip", archive)):
        monkeypatch.setenv("PEEL_HOME", str(tmp_path / f"home-{label}"))
        con = connect()
        result = ingest_police_uk(con, [source])
        contents[label] = {
            t: table_contents(con, t)
            for t in ("crime", "outcome", "area", "police_uk_outcome_origin")
        }
        con.close()
    assert contents["zip"] == contents["folder"]
    assert any("stop-and-search" in n and "skipped" in n for n in result.notes)
    assert len(result.files) == 4


def test_ingest_police_uk_refuses_a_wrong_header_and_writes_nothing(
    tmp_path, police_uk_dir, peel_home
):
    good = copy_months(police_uk_dir, tmp_path / "good", ["2021-01"])
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 5)
    lines[0] = lines[0].replace("Crime type", "Offence")
    bad = write_lines(tmp_path / "bad" / "2021-02-hertfordshire-street.csv", lines)
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [good, bad])
    message = str(error.value)
    assert "2021-02-hertfordshire-street.csv line 1" in message
    assert "missing Crime type" in message and "unexpected Offence" in message
    assert "Expected 'Crime ID,Month," in message
    assert warehouse_is_empty(con)
