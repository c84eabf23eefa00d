"""The casebook commands, run as a user would (in-process, against real databases)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from peel.casebook import cases, db, review
from peel.casebook.cli import register, uk_period
from peel.casebook.roles import Domain

from .conftest import (
    another_writer_holds_the_lock,
    count_rows,
    drop_append_only_triggers,
    execute_raw,
)

PASSWORD = "a long enough passphrase\n"


def run_peel(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    """Run a ``peel`` command line; returns the click Result."""
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "250"} | (env or {}))


@pytest.fixture
def peel(casebook_url):
    """``run_peel`` against an empty casebook on each backend."""
    return run_peel


@pytest.fixture
def staff(staff, log_in):
    """One user per role, each signed in on the command line (so --as picks their session)."""
    for username in staff.values():
        log_in(username)
    return staff


def test_users_add_bootstraps_then_requires_an_administrator(peel, casebook_url):
    first = peel("users", "add", "root", "--role", "administrator", "--password-stdin", input=PASSWORD)
    assert first.exit_code == 0, first.output
    refused = peel("users", "add", "ana", "--role", "auditor", "--password-stdin", input=PASSWORD)
    assert refused.exit_code == 2 and "run `peel login USERNAME`" in refused.output
    assert peel("login", "root", "--password-stdin", input=PASSWORD).exit_code == 0
    added = peel("users", "add", "ana", "--role", "auditor", "--password-stdin", "--as", "root", input=PASSWORD)
    assert added.exit_code == 0 and "Auditor" in added.output
    listed = peel("users", "list", env={"PEEL_USER": "root"})
    assert "ana" in listed.output and "auditor" in listed.output
    assert peel("users", "disable", "ana", "--as", "root").exit_code == 0
    assert "disabled" in peel("users", "list", "--as", "root").output


def test_users_add_prompts_for_the_password_hidden(peel, casebook_url):
    result = peel("users", "add", "root", "--role", "administrator", input=PASSWORD * 2)
    assert result.exit_code == 0, result.output
    assert "a long enough passphrase" not in result.output


def test_users_add_takes_a_single_sign_on_account_without_a_password(peel, staff):
    result = peel("users", "add", "sso.analyst", "--role", "performance_analyst", "--as", "admin",
                  "--identity-provider", "https://login.force.test", "--subject", "0f3a")
    assert result.exit_code == 0, result.output
    assert "https://login.force.test" in peel("users", "list", "--as", "admin").output
    twin = peel("users", "add", "sso.twin", "--role", "auditor", "--as", "admin",
                "--identity-provider", "https://login.force.test", "--external-subject", "0f3a")
    assert twin.exit_code == 2 and "already a user for subject '0f3a'" in twin.output


def test_users_add_refuses_an_unknown_role_before_asking_for_a_password(peel):
    result = peel("users", "add", "root", "--role", "chief")
    assert result.exit_code == 2 and "Unknown role 'chief'" in result.output


@pytest.mark.parametrize("url", ["mysql://x/y", "notaurl"])
def test_a_bad_casebook_url_is_an_error_naming_the_variable_not_a_traceback(url, peel_home):
    result = run_peel("users", "list", "--as", "admin", env={"PEEL_CASEBOOK_URL": url})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Error:" in result.output and "PEEL_CASEBOOK_URL" in result.output
    assert "postgresql+psycopg://" in result.output and "Traceback" not in result.output


def test_a_casebook_locked_past_the_busy_timeout_is_an_error_not_a_traceback(peel, staff, casebook_url,
                                                                             short_busy_timeout):
    with another_writer_holds_the_lock(casebook_url):
        result = peel("users", "disable", "auditor", "--as", "admin")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "database is locked" in result.output and "try again" in result.output


def test_audit_verify_exits_0_when_intact_and_1_naming_the_broken_entry(peel, staff, casebook_url):
    intact = peel("audit", "verify", "--as", "auditor")
    assert intact.exit_code == 0 and "Audit log intact" in intact.output
    drop_append_only_triggers(casebook_url)
    execute_raw(casebook_url, "UPDATE audit_entry SET actor = 'someone' WHERE seq = 4")
    broken = peel("audit", "verify", "--as", "auditor")
    assert broken.exit_code == 1 and "broken at entry 4" in broken.output


def test_audit_verify_and_listings_need_no_write_lock(peel, staff, casebook_url, short_busy_timeout):
    with another_writer_holds_the_lock(casebook_url):
        results = [peel("audit", "verify", "--as", "auditor"), peel("users", "list", "--as", "admin"),
                   peel("review", "list", "--as", "supervisor"), peel("review", "stats", "--as", "supervisor"),
                   peel("retention", "--as", "information.manager")]
    assert [r.exit_code for r in results] == [0] * 5, [r.output for r in results]


def test_audit_verify_checks_an_anchor_printed_by_an_earlier_run(peel, staff, casebook_url):
    first = peel("audit", "verify", "--as", "auditor")
    anchor = first.output.split("database): ")[1].split()[0]
    assert peel("audit", "verify", "--as", "auditor", "--anchor", anchor).exit_code == 0
    forged = anchor.split(":")[0] + ":" + "0" * 64
    assert peel("audit", "verify", "--as", "auditor", "--anchor", forged).exit_code == 1
    malformed = peel("audit", "verify", "--as", "auditor", "--anchor", "12")
    assert malformed.exit_code == 2 and "ENTRY:HASH" in malformed.output


def test_audit_verify_refuses_a_role_without_audit_rights(peel, staff):
    result = peel("audit", "verify", "--as", "supervisor")
    assert result.exit_code == 2 and "may not read audit" in result.output


def test_audit_show_filters_by_user_and_subject(peel, staff, casebook_url):
    with db.transaction(casebook_url) as s:
        case_id = cases.open_case(s, "lfr.operator", domain=Domain.LFR, kind="deployment", details={},
                                  purpose="deployment authorised", subject_ref="D-1")
    shown = peel("audit", "show", "--as", "auditor", "--subject", "D-1", "--since", "2020-01-01")
    assert shown.exit_code == 0 and "lfr.operator" in shown.output and "deployment authorised" in shown.output
    assert f"case {case_id}" in shown.output
    none = peel("audit", "show", "--as", "auditor", "--user", "lfr.operator", "--until", "2020-01-01")
    assert "No entries match" in none.output


def test_uk_period_runs_from_uk_midnight_to_uk_midnight_across_the_clock_change():
    # The clocks went forward on 29 March 2026: that UK day lasted 23 hours.
    day = datetime(2026, 3, 29)
    assert uk_period(day, day) == (datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 23, tzinfo=UTC))
    assert uk_period(None, None) == (None, None)


def test_review_accept_and_stats(peel, staff, casebook_url):
    with db.transaction(casebook_url) as s:
        item_id = review.propose(s, domain=Domain.LFR, kind="lfr_alert", summary="alert at camera 2",
                                 payload={"watchlist_entry": "W-9"}, by_algorithm="vendor-matcher")
    listed = peel("review", "list", "--as", "lfr.operator")
    assert "alert at camera 2" in listed.output and "W-9" not in listed.output
    no_purpose = peel("review", "show", str(item_id), "--as", "lfr.operator")
    assert no_purpose.exit_code == 2 and "purpose" in no_purpose.output
    shown = peel("review", "show", str(item_id), "--as", "lfr.operator", "--purpose", "adjudicate the alert")
    assert "W-9" in shown.output
    assert peel("review", "reject", str(item_id), "--as", "lfr.operator").exit_code == 2
    rejected = peel("review", "reject", str(item_id), "--as", "lfr.operator", "--reason", "not the person")
    assert rejected.exit_code == 0
    stats = peel("review", "stats", "--as", "pcc.scrutiny.officer")
    assert stats.exit_code == 0 and "lfr_alert" in stats.output


def test_review_list_refuses_a_misspelt_domain_or_status_saying_what_is_allowed(peel, staff):
    domain = peel("review", "list", "--as", "supervisor", "--domain", "dvd")
    assert domain.exit_code == 2 and "Unknown domain 'dvd'" in domain.output and "dvds" in domain.output
    status = peel("review", "list", "--as", "supervisor", "--status", "done")
    assert status.exit_code == 2 and "pending, accepted, rejected or all" in status.output
    assert peel("review", "list", "--as", "supervisor", "--status", "all").exit_code == 0


def test_retention_lists_due_cases_and_erases_them(peel, staff, casebook_url):
    with db.transaction(casebook_url) as s:
        case_id = cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal",
                                  details={"note": "x"}, purpose="renewal application received",
                                  review_date=__import__("datetime").date(2020, 1, 1))
    due = peel("retention", "--as", "information.manager")
    assert due.exit_code == 0 and "renewal" in due.output and "review" in due.output
    erased = peel("retention", "erase", str(case_id), "--as", "information.manager",
                  "--reason", "retention period ended")
    assert erased.exit_code == 0, erased.output
    assert count_rows(casebook_url, "case_record") == 0
    assert "Nothing is due" in peel("retention", "--as", "information.manager").output
