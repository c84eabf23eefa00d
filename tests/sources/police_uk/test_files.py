"""Finding police.uk files: folders and the site's zip alike, and a wrong header refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from tests.sources.police_uk.real_files import (
    copy_months,
    real_lines,
    table_contents,
    warehouse_is_empty,
    write_lines,
)
from typer.testing import CliRunner

from peel.cli import app
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


def damage_zip(source: Path, target: Path, how: str) -> Path:
    """A copy of a zip cut off halfway, or with bytes of its second file's data changed."""
    data = bytearray(source.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    else:
        member = zipfile.ZipFile(source).infolist()[1]
        start = member.header_offset + 30 + len(member.filename) + len(member.extra)
        for i in range(start + member.compress_size // 2, start + member.compress_size // 2 + 64):
            data[i] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    "how, expected",
    [
        ("truncated", "not a complete zip archive"),
        ("damaged", "the file 2021-01/2021-01-hertfordshire-outcomes.csv in the zip is damaged"),
    ],
)
def test_police_uk_command_refuses_a_damaged_zip_with_a_message(
    tmp_path, police_uk_zip, peel_home, how, expected
):
    archive = damage_zip(police_uk_zip, tmp_path / "2021.zip", how)
    result = CliRunner().invoke(app, ["ingest", "police-uk", str(archive)])
    output = " ".join(result.output.split())
    assert result.exit_code == 1
    assert f"{archive}: {expected}" in output and "Download" in output
    assert "Traceback" not in output and not isinstance(result.exception, zipfile.BadZipFile)
    assert not list((peel_home / "tmp").glob("*/*/*.csv"))


def test_police_uk_command_refuses_a_zip_name_that_is_not_a_zip(tmp_path, peel_home):
    # Not taken for a CSV file with a wrong name: the message says what is wrong.
    archive = tmp_path / "2021-01.zip"
    archive.write_text("Crime ID,Month\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "police-uk", str(archive)])
    assert result.exit_code == 1
    assert "not a complete zip archive" in " ".join(result.output.split())


def start_zip_ingest(archive: Path, home: Path) -> tuple[subprocess.Popen, Path]:
    """Run 'peel ingest police-uk' on a zip in another process, and return once it has
    unpacked its files (into PEEL_HOME/tmp), with the folder they are in."""
    env = {**os.environ, "PEEL_HOME": str(home)}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "peel"), "ingest", "police-uk", str(archive)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (unpacked := list((home / "tmp").glob("police-uk-*/00025/*.csv"))):
        assert process.poll() is None and time.monotonic() < deadline, "the load never unpacked"
        time.sleep(0.01)
    return process, unpacked[0].parents[1]


def test_ingest_police_uk_killed_leaves_its_files_only_in_peel_home_and_the_next_removes_them(
    police_uk_zip, police_uk_dir, peel_home
):
    process, folder = start_zip_ingest(police_uk_zip, peel_home)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert folder.is_relative_to(peel_home / "tmp") and folder.exists()
    ingest_police_uk(connect(), [police_uk_dir / "2021-03-hertfordshire-outcomes.csv"])
    assert not folder.exists() and list((peel_home / "tmp").iterdir()) == []


def test_ingest_police_uk_stopped_with_sigterm_removes_its_files_and_publishes_nothing(
    police_uk_zip, peel_home
):
    process, folder = start_zip_ingest(police_uk_zip, peel_home)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert not folder.exists()
    assert list(peel_home.glob("warehouse-*.duckdb")) == []
