"""``peel pack --as-of``: a published pack can be rebuilt, figure for figure, from the data as
it stood on its day, after later loads; publishing records its checksum in the audit log."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from peel.casebook import AuditFilter, db, read_audit_log, users
from peel.sources.police_uk import ingest_police_uk
from peel.warehouse import open_writer
from peel.warehouse.generations import get_current_file, get_name

from .test_actions import run_peel

AGENDA = "items:\n  - title: All crime\n    kind: crime_performance\n    crime_type: all-crime\n"


def _load(folder, months: list[str]) -> None:
    with open_writer() as con:
        ingest_police_uk(con, [folder / f"{m}-hertfordshire-{kind}.csv" for m in months for kind in ("street", "outcomes")])


def _backdate_published_generation(days: int) -> date:
    """Make the generation published now look published ``days`` ago (its publication stamp)."""
    when = datetime.now() - timedelta(days=days)
    os.utime(get_current_file(get_name()), (when.timestamp(), when.timestamp()))
    return when.date()


def _checksum(output: str) -> str:
    return output.split("Figures checksum (SHA-256): ")[1].split(";")[0]


def test_pack_as_of_rebuilds_february_after_march_is_loaded(peel_home, police_uk_dir, tmp_path, log_in):
    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        for name, role in (("analyst", "performance_analyst"), ("auditor", "auditor")):
            users.add_user(session, name, role, acting="admin", identity_provider="https://sso.test",
                           external_subject=name)
    log_in("analyst")  # publishing writes the audit log as a signed-in user
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(AGENDA)
    _load(police_uk_dir, ["2021-01", "2021-02"])
    day = _backdate_published_generation(2)
    published = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "feb"),
                         "--publish", "--as", "analyst")
    assert published.exit_code == 0, published.output
    _load(police_uk_dir, ["2021-03"])
    now = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "now"))
    rebuilt = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "again"),
                       "--as-of", day.isoformat())
    assert rebuilt.exit_code == 0, rebuilt.output

    assert _checksum(rebuilt.output) == _checksum(published.output)
    assert "data: generation 1, batch 1" in rebuilt.output  # read as it stood: March's load ignored
    assert "data: generation 2, batch 2" in now.output
    section = (tmp_path / "again" / "pack.html").read_text().split("Item 1")[1].split("<footer")[0]
    assert section == (tmp_path / "feb" / "pack.html").read_text().split("Item 1")[1].split("<footer")[0]
    with db.transaction() as session:
        entries = read_audit_log(session, "auditor", AuditFilter(operation="disclosure"))
    [entry] = [e for e in entries if e.object_type == "meeting_pack"]
    assert entry.object_id == "2021-02" and entry.actor == "analyst"
    assert _checksum(published.output) in entry.detail
    db.dispose_engines()


def test_pack_as_of_a_day_before_any_load_says_so(peel_home, police_uk_dir, tmp_path):
    _load(police_uk_dir, ["2021-01"])
    refused = run_peel("pack", "--month", "2021-01", "--as-of", "2001-01-01", "--out", str(tmp_path / "p"))
    assert refused.exit_code == 2
    assert "holds no data as it stood on 01 January 2001" in " ".join(refused.output.split())
    assert not (tmp_path / "p").exists()


def test_pack_as_of_shows_the_earlier_figure_after_a_later_load_changes_it(peel_home, police_uk_dir, tmp_path):
    """police.uk republishes a month with crimes added: today's pack counts them, the pack as
    of the earlier day does not."""
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(AGENDA)
    _load(police_uk_dir, ["2021-01", "2021-02"])
    day = _backdate_published_generation(2)
    before = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "before"))
    assert before.exit_code == 0, before.output
    republished = tmp_path / "republished"
    republished.mkdir()
    street = (police_uk_dir / "2021-02-hertfordshire-street.csv").read_text().splitlines(keepends=True)
    with_id = [line for line in street[1:] if not line.startswith(",")]
    added = ["late" + line for line in with_id[:500]]  # 500 crimes recorded late, new crime ids
    (republished / "2021-02-hertfordshire-street.csv").write_text("".join(street + added))
    outcomes = police_uk_dir / "2021-02-hertfordshire-outcomes.csv"
    (republished / outcomes.name).write_bytes(outcomes.read_bytes())
    _load(republished, ["2021-02"])

    now = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "now"))
    rebuilt = run_peel("pack", "--month", "2021-02", "--agenda", str(agenda), "--out", str(tmp_path / "again"),
                       "--as-of", day.isoformat())
    assert now.exit_code == 0 and rebuilt.exit_code == 0, now.output + rebuilt.output

    assert _checksum(now.output) != _checksum(before.output)  # the reload changed February
    assert _checksum(rebuilt.output) == _checksum(before.output)
    assert (tmp_path / "again" / "pack.html").read_text() != (tmp_path / "now" / "pack.html").read_text()
