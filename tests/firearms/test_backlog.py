"""The backlog figures against an independent count of the generated records, and the
oldest cases' access rules."""

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from peel.casebook import db
from peel.casebook.errors import AccessRefused
from peel.casebook.models import AuditEntry
from peel.firearms.backlog import (
    build_backlog,
    measure,
    oldest_cases,
    outstanding_by_year,
    throughput,
)

from .conftest import OFFICER, PCC_OFFICE, PURPOSE

AS_OF = date(2026, 3, 11)


def _independent_count(con, as_of: date) -> pd.Series:
    apps = con.execute("SELECT * FROM firearms_application").df()
    open_ = apps[(apps.kind == "renewal") & (apps.received_date <= pd.Timestamp(as_of))
                 & (apps.decided_date.isna() | (apps.decided_date > pd.Timestamp(as_of)))]
    return open_.groupby(open_.due_date.dt.year).size()


def test_outstanding_by_year_matches_an_independent_count(demo):
    for day in (AS_OF, date(2025, 6, 30)):
        expected = _independent_count(demo, day)
        assert outstanding_by_year(demo, day) == {int(y): int(n) for y, n in expected.items()}
        assert measure(demo, "outstanding_renewals", day) == int(expected.sum())


def test_build_backlog_tells_the_notes_story(demo):
    b = build_backlog(demo, AS_OF)
    assert 2021 not in b.by_year and 2022 not in b.by_year  # older years cleared
    assert 0 < b.by_year[2023] < b.by_year[2024] < b.by_year[2025]
    assert b.by_year[2025] > sum(n for y, n in b.by_year.items() if y != 2025)
    assert b.inbox["peak"] > 5 * b.inbox["waiting"]  # the inbox backlog was cleared
    assert b.policies["assessed"] == 22


def test_throughput_decisions_match_the_declared_measure(demo):
    weeks = throughput(demo, AS_OF, weeks=4)
    start, end = weeks[0]["week"], weeks[-1]["week"] + timedelta(days=7)
    assert sum(w["decision"] for w in weeks) == measure(demo, "renewals_decided", AS_OF, start, end)


def test_oldest_cases_refused_for_the_pccs_office(demo):
    with pytest.raises(AccessRefused):
        oldest_cases(demo, PCC_OFFICE, purpose=PURPOSE, as_of=AS_OF)


def test_oldest_cases_logged_for_a_licensing_officer(demo):
    rows = oldest_cases(demo, OFFICER, purpose=PURPOSE, as_of=AS_OF, limit=5)
    assert [r["due_date"] for r in rows] == sorted(r["due_date"] for r in rows)
    assert rows[0]["due_date"].year == min(outstanding_by_year(demo, AS_OF))
    with db.transaction(readonly=True) as session:
        logged = session.execute(select(AuditEntry.subject_ref).where(
            AuditEntry.actor == OFFICER, AuditEntry.object_type == "firearms_application")).scalars().all()
    assert {r["holder_ref"] for r in rows} <= set(logged)
