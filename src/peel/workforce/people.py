"""A person's own workforce records: their sickness absence spells. Personal data, so the
function that reads them checks the acting user (read_personal in the workforce domain: a
supervisor managing attendance) and their stated purpose, and logs the consultation in the
casebook's audit log, before anything is shown. Everyone else sees aggregates (``figures``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from peel.casebook import consultation
from peel.warehouse import connect

WORKFORCE_DOMAIN = "workforce"
SICKNESS_RECORD = "sickness_spell"


class UnknownStaffNumber(ValueError):
    """No person with that staff number: nothing was read, so nothing is logged as consulted."""


@dataclass(frozen=True)
class SicknessSpell:
    staff_number: str
    rank_or_grade: str
    team: str
    start_date: date
    end_date: date | None  # None: still absent
    reason: str | None


def list_sickness(con: duckdb.DuckDBPyConnection | None, staff_number: str, *, username: str | None,
                  purpose: str | None) -> list[SicknessSpell]:
    """One person's sickness spells, newest first, for a user who may read personal data in
    the workforce domain and says why; the person is logged as consulted. A refusal
    (``AccessRefused``, ``PurposeRequired``) is logged and raised before the warehouse is read
    (``con`` None: the warehouse is opened, read-only, only once the user is allowed)."""
    with consultation(username, domain=WORKFORCE_DOMAIN, object_type=SICKNESS_RECORD, purpose=purpose) as shown:
        con = con if con is not None else connect(read_only=True)
        if not con.execute("SELECT count(*) FROM staff_member WHERE source_record_id = ?", [staff_number]).fetchone()[0]:
            raise UnknownStaffNumber(f"No one with staff number {staff_number!r} in the people (HR) extract loaded: "
                                     "check the number (it is the HR system's, e.g. 100001).")
        rows = con.execute(
            """SELECT p.source_record_id, p.rank_or_grade, p.team, s.start_date, s.end_date, s.reason
               FROM sickness_spell s JOIN staff_member p USING (staff_key)
               WHERE p.source_record_id = ? ORDER BY s.start_date DESC""", [staff_number]).fetchall()
        shown.append(f"staff:{staff_number}")
    return [SicknessSpell(*row) for row in rows]
