"""Who may run each ``peel`` command: every command is listed from the Typer app itself, and
each one that touches personal data or the casebook refuses anyone not signed in (logging the
refusal), and refuses a signed-in user who does not say why, when it must."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from peel.casebook import Domain, cases, db, review
from peel.cli import app
from peel.linkage.review import linkage_proposals

from .conftest import audit_entries, refusal

# Example mappings that ship with peel: a real file for --mapping.
MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "linkage" / "mappings"


# Every command is in one of the two tables below, and a test fails when one is in neither, so
# a new command cannot be added without deciding whether it needs a signed-in user.

# Commands that need no session: they touch neither personal data nor the casebook's records.
NO_SESSION = {
    "peel demo-data": "generates the fictional force: no real person, nothing from the casebook",
    "peel demo-persons": "fictional person records, for linkage benchmarks",
    # Adds the demo's accounts: the bootstrap on an empty casebook, else acts as the demo
    # administrator by the password kept in PEEL_HOME/demo (0600) - see docs/casebook.md.
    "peel demo-accounts": "authenticates as the demo administrator itself",
    # Links the fictional persons as demo.ingest_service, authenticated by the password
    # demo-accounts kept (0600): the role check and audit entry of any linkage run.
    "peel demo-link": "authenticates as the demo ingest service itself",
    "peel status": "row counts and load batches: aggregates",
    "peel quarantine": "the file, line and reason of refused rows, never their content",
    "peel ingest police-uk": "data.police.uk is published, anonymised open data",
    "peel measures": "aggregates",
    "peel control-room performance": "aggregates",
    "peel control-room forecast": "aggregates",
    "peel control-room plan": "aggregates",
    "peel control-room roster": "aggregates",
    "peel control-room load": "calls and incidents without names: no personal data",
    "peel areas": "the force's areas: no personal data",
    "peel daily": "aggregates",
    "peel firearms backlog": "aggregates",
    "peel firearms forecast": "aggregates",
    "peel firearms safeguarding-evaluate": "recall and precision against the fictional demo's truth",
    "peel pack": "aggregates, and the meetings' actions (posts and dates, no personal data)",
    "peel link evaluate": "precision and recall: aggregates over the run or a file of ids",
    "peel users roles": "what each role may do, from roles.yaml",
    "peel login": "how a session starts (the lock-out and the log are the casebook's)",
    "peel logout": "how a session ends",
    "peel serve": "the web app signs each person in itself (docs/web.md)",
    "peel lfr report": "aggregates: no alert's subject",
    "peel dvds figures": "Clare's Law aggregates",
    "peel dvds return": "the Home Office return: aggregates",
    "peel workforce summary": "aggregates",
    "peel intel mine": "mines only the text given on the command line; reads no records",
    "peel oversight register": "the register of algorithms and their transparency records",
}

# Every other command acts as a signed-in user: what it must state (a purpose for a use of
# personal data, a reason for a decision; None when it reads no personal data) and a role
# that may run it, so that leaving the statement out is refused by the purpose rule itself.
SIGNED_IN = {
    "peel ingest mapped": ("--purpose", "ingest_service"),  # collection
    "peel link": ("--purpose", "ingest_service"),  # combination
    "peel link file": ("--purpose", "intelligence_analyst"),  # combination
    "peel link explain": ("--purpose", "intelligence_analyst"),  # consultation
    "peel link match": ("--purpose", "intelligence_analyst"),  # consultation
    "peel link review": ("--purpose", "intelligence_analyst"),  # consultation
    "peel link review accept": ("--reason", "intelligence_analyst"),  # combination decided
    "peel link review reject": ("--reason", "intelligence_analyst"),
    "peel intel pack": ("--purpose", "intelligence_analyst"),  # consultation, then a proposal
    "peel intel verify": ("--purpose", "intelligence_analyst"),  # consultation
    "peel intel export": ("--purpose", "intelligence_analyst"),  # disclosure
    "peel intel approve": ("--reason", "supervisor"),  # a pack's approval
    "peel intel event": ("--purpose", "intelligence_analyst"),  # consultation, then a proposal
    "peel intel sign-off": ("--reason", "supervisor"),  # an assessment's sign-off (low, medium risk)
    "peel intel risk": ("--reason", "supervisor"),  # an assessment's risk level changed
    "peel review show": ("--purpose", "supervisor"),  # consultation
    "peel firearms oldest": ("--purpose", "licensing_officer"),  # consultation
    "peel firearms safeguarding-scan": ("--purpose", "licensing_officer"),  # consultation, proposals
    "peel firearms safeguarding-decide": ("--reason", "licensing_officer"),  # a person decides
    "peel firearms load": ("--purpose", "licensing_officer"),  # collection
    "peel review accept": ("--reason", "supervisor"),
    "peel review reject": ("--reason", "supervisor"),
    "peel control-room decide": ("--reason", "supervisor"),  # decide_review "*"; the test item is linkage
    "peel control-room propose": (None, "control_room_service"),  # files in the review queue; reads no cases
    "peel retention keep": ("--reason", "information_manager"),  # alteration
    "peel retention erase": ("--reason", "information_manager"),  # erasure
    # Casebook commands that show or change no personal data (summaries, counts, accounts,
    # meeting actions, the audit log): a session, and each change logged, but no purpose.
    "peel review list": (None, "supervisor"),
    "peel oversight report": (None, "pcc_scrutiny_officer"),  # counts only
    "peel oversight decide": (None, "oversight_board_secretary"),  # the board's decisions: no personal data
    "peel review stats": (None, "pcc_scrutiny_officer"),
    "peel retention": (None, "information_manager"),
    "peel users add": (None, "administrator"),
    "peel users list": (None, "administrator"),
    "peel users disable": (None, "administrator"),
    "peel audit verify": (None, "auditor"),
    "peel audit show": (None, "auditor"),
    "peel actions add": (None, "pcc_scrutiny_officer"),
    "peel actions list": (None, "pcc_scrutiny_officer"),
    "peel actions update": (None, "performance_analyst"),
    # Live facial recognition: the register's changes are logged with a purpose peel states
    # itself; reading alerts' subjects takes the user's purpose.
    "peel lfr plan": (None, "lfr_operator"),
    "peel lfr authorise": ("--reason", "supervisor"),
    "peel lfr confirm": (None, "lfr_operator"),
    "peel lfr cancel": ("--reason", "supervisor"),  # a decision on the plan's case
    "peel lfr results": (None, "lfr_operator"),
    "peel lfr alert": (None, "lfr_operator"),
    "peel lfr deletion": (None, "lfr_operator"),
    "peel lfr load-export": ("--purpose", "lfr_operator"),  # collection: the alerts' subjects
    "peel lfr load-results": (None, "lfr_operator"),
    "peel lfr alerts": ("--purpose", "lfr_operator"),
    "peel lfr survey": (None, "lfr_operator"),
    "peel lfr review": (None, "lfr_operator"),
    "peel dvds recognise": ("--purpose", "public_protection_officer"),  # consultation of linked persons
    "peel dvds open": ("--purpose", "public_protection_officer"),  # collection
    # Case 1 and item 1 of these tests are another domain's: the Clare's Law role and
    # statement are checked before the case or item is looked up.
    "peel dvds stage": ("--purpose", "public_protection_officer"),  # consultation and alteration
    "peel dvds show": ("--purpose", "public_protection_officer"),  # consultation
    "peel dvds decide": ("--reason", "public_protection_officer"),  # a candidate decided
    "peel dvds candidates": (None, "public_protection_officer"),  # summaries only
    "peel dvds load": ("--purpose", "public_protection_officer"),  # collection
    "peel workforce sickness": ("--purpose", "hr_wellbeing_officer"),  # consultation of a person's sickness
    "peel workforce load": ("--purpose", "hr_wellbeing_officer"),  # collection
}


def list_commands() -> dict:
    """Every command line peel answers, by path: each command, and each group that runs
    something itself when given no sub-command (``peel link``, ``peel retention``...).
    (Typer builds on its own copy of click, so groups are told by their sub-commands.)"""
    found = {}

    def walk(command, path: str) -> None:
        if not hasattr(command, "commands") or command.invoke_without_command:
            found[path] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    for name, command in typer.main.get_command(app).commands.items():
        walk(command, f"peel {name}")
    return found


def test_every_command_needs_a_session_or_is_allowed_without_one_with_a_reason():
    commands = set(list_commands())
    assert not set(NO_SESSION) & set(SIGNED_IN)
    assert commands - set(NO_SESSION) - set(SIGNED_IN) == set(), "decide: NO_SESSION or SIGNED_IN"
    assert set(NO_SESSION) | set(SIGNED_IN) == commands, "a command listed here no longer exists"


def test_every_command_that_needs_a_session_takes_its_statement():
    commands = list_commands()
    for path, (statement, _role) in SIGNED_IN.items():
        options = {o for p in commands[path].params for o in p.opts}
        assert "--as" in options, path
        assert statement is None or statement in options, path


def command_line(path: str, *extra: str) -> list[str]:
    """``path`` with a valid value for each required argument and option (so that only the
    session, role or statement can refuse it), then ``extra``."""
    values = {int: "1", float: "0.5", datetime: "2030-01-01"}
    args = path.split()[1:]
    for param in list_commands()[path].params:
        if not param.required:
            continue
        if param.name == "mapping":
            value = str(MAPPINGS / "fake_1000.yaml")
        else:
            value = {"month": "2026-03", "meeting": "2026-03", "due": "2026-04-30", "role": "auditor",
                     "status": "done"}.get(param.name, values.get(param.type_descriptor.annotation, "x1"))
        args += [*(param.opts[:1] if param.param_type_name == "option" else []), value]
    if path.endswith(("link review accept", "link review reject")):
        args[-1] = "x2"  # two different records
    if path == "peel link match":
        args += ["--surname", "Smith"]  # a record's details
    return args + list(extra)


@pytest.fixture
def staff_on_record(staff, casebook_url):
    """Staff (one per role, named after it), a review item and a case due for review, both number 1."""
    with db.transaction(casebook_url) as s:
        review.propose(s, domain=Domain.LINKAGE, kind="person_record_pair", summary="two records",
                       payload={"record_key_l": "x1", "record_key_r": "x2"}, by_algorithm="peel-linkage")
        cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal", details={},
                        purpose="renewal application received", review_date=date(2020, 1, 1))
    return staff


@pytest.mark.parametrize("path", sorted(SIGNED_IN))
def test_each_command_refuses_a_user_named_without_a_session_and_logs_it(path, staff_on_record, casebook_url):
    user = staff_on_record[SIGNED_IN[path][1]]
    before = audit_entries(casebook_url)[-1].seq
    result = CliRunner().invoke(app, command_line(path), env={"PEEL_USER": user})
    assert result.exit_code == 2, result.output
    assert f"{user} is not signed in on this computer: run `peel login {user}`" in result.output
    [entry] = audit_entries(casebook_url, before)
    assert refusal(entry) | {"refusal": json.loads(entry.detail)["refusal"]} == {
        "actor": user, "role": SIGNED_IN[path][1], "action": path, "domain": None,
        "object_type": "session", "object_id": None, "purpose": None, "refusal": "NotSignedIn"}


@pytest.mark.parametrize("path", sorted(p for p, (statement, _) in SIGNED_IN.items() if statement))
def test_each_command_on_personal_data_refuses_a_signed_in_user_who_gives_no_reason(
        path, staff_on_record, casebook_url, log_in):
    statement, role = SIGNED_IN[path]
    log_in(staff_on_record[role])
    before = audit_entries(casebook_url)[-1].seq
    result = CliRunner().invoke(app, command_line(path, statement, "too short"))
    assert result.exit_code == 2, result.output
    assert "say why in at least 10 characters" in result.output
    logged = [refusal(e) for e in audit_entries(casebook_url, before)]
    assert [(r["actor"], r["refusal"], r["purpose"]) for r in logged] == [
        (staff_on_record[role], "PurposeRequired", "too short")]


FAKE_1000 = Path(__file__).resolve().parents[1] / "data" / "linkage" / "fake_1000.csv"

# The agenda items' commands on personal data are run for real, and their audit entries
# checked, by their own domain's tests: the test that does it, by command. (The core's
# commands are run in the test below.)
AUDITED_BY = {
    "peel intel pack": "tests/intel/test_packs.py::test_build_pack_logs_the_consultation_with_its_subject_and_purpose",
    "peel oversight decide": "tests/oversight/test_board.py::test_decide_command_records_the_decision_and_logs_it",
    "peel intel risk": "tests/intel/test_command_levels.py::test_risk_command_raises_the_level_and_logs_it",
    "peel intel verify": "tests/intel/test_audit_commands.py::"
                         "test_intel_verify_logs_the_consultation_with_its_purpose_and_subject",
    "peel intel export": "tests/intel/test_audit_commands.py::"
                         "test_intel_export_logs_the_disclosure_with_author_approver_purpose_and_subject",
    "peel intel approve": "tests/intel/test_audit_commands.py::"
                          "test_intel_approve_logs_the_decision_with_its_reason_and_subject",
    "peel intel event": "tests/intel/test_audit_commands.py::"
                        "test_intel_event_logs_the_consultation_of_the_event_and_queues_it",
    "peel intel sign-off": "tests/intel/test_audit_commands.py::test_intel_sign_off_logs_the_decision_with_its_reason",
    "peel firearms oldest": "tests/firearms/test_backlog.py::test_oldest_cases_logged_for_a_licensing_officer",
    "peel firearms safeguarding-scan": "tests/firearms/test_audit_commands.py::"
                                       "test_safeguarding_scan_logs_the_consultation_with_its_purpose_and_the_holders_found",
    "peel firearms safeguarding-decide": "tests/firearms/test_audit_commands.py::"
                                         "test_safeguarding_decide_logs_the_decision_with_its_outcome_reason_and_holder",
    "peel firearms load": "tests/firearms/test_cli.py::test_load_signed_in_with_a_purpose_loads_and_logs_the_collection",
    "peel lfr load-export": "tests/lfr/test_alerts.py::test_load_vendor_export_logs_the_collection_with_its_purpose",
    "peel lfr alerts": "tests/lfr/test_alerts.py::"
                       "test_read_alert_subjects_needs_the_role_and_a_purpose_and_logs_each_subject",
    "peel lfr cancel": "tests/lfr/test_cancel.py::test_lfr_cancel_command_cancels_and_logs_the_decision_with_its_reason",
    "peel lfr authorise": "tests/lfr/test_audit_commands.py::"
                          "test_lfr_authorise_logs_the_decision_on_the_plan_pointing_to_its_reason",
    "peel dvds recognise": "tests/dvds/test_audit_commands.py::"
                           "test_dvds_recognise_logs_a_consultation_of_each_person_it_queues",
    "peel dvds open": "tests/dvds/test_audit_commands.py::"
                      "test_dvds_open_logs_the_collection_of_the_case_with_its_purpose_and_person",
    "peel dvds stage": "tests/dvds/test_audit_commands.py::"
                       "test_dvds_stage_logs_the_decision_and_the_disclosure_with_their_purpose",
    "peel dvds show": "tests/dvds/test_audit_commands.py::test_dvds_show_logs_the_consultation_of_the_case",
    "peel dvds decide": "tests/dvds/test_audit_commands.py::"
                        "test_dvds_decide_logs_the_decision_its_reading_and_the_case_it_opens",
    "peel control-room decide": "tests/control_room/test_audit_commands.py::"
                                "test_control_room_decide_logs_the_decision_on_the_week_with_its_reason",
    "peel workforce load": "tests/workforce/test_cli.py::test_load_signed_in_with_a_purpose_loads_and_logs_the_collection",
    "peel workforce sickness": "tests/workforce/test_web.py::"
                               "test_list_sickness_shows_a_supervisor_the_spells_and_logs_the_consultation",
    "peel control-room propose": "tests/control_room/test_proposal.py::"
                                 "test_propose_staffing_logs_who_filed_it_and_the_algorithm_s_proposal",
    "peel dvds load": "tests/dvds/test_extract.py::test_load_signed_in_with_a_purpose_loads_and_logs_the_collection",
}


def test_audited_by_names_tests_that_exist_and_read_the_audit_log():
    # A signed-in command may be checked by a named test whether or not it states a purpose or
    # reason (a proposal filed by a service account, a board decision on no personal data).
    assert set(AUDITED_BY) <= set(SIGNED_IN)
    root = Path(__file__).resolve().parents[2]
    for command, test in AUDITED_BY.items():
        path, name = test.split("::")
        source = (root / path).read_text(encoding="utf-8")
        body = source.split(f"def {name}(", 1)
        assert len(body) == 2, (command, test)
        assert "audit" in body[1].split("\ndef ", 1)[0].lower() or "AuditEntry" in body[1].split("\ndef ", 1)[0], \
            (command, test)


WHY = "test: the commands' audit trail"


def run_as(user: str, *args: str) -> None:
    result = CliRunner().invoke(app, [*args, "--as", user])
    assert result.exit_code == 0, (args, result.output)


def test_each_command_on_personal_data_done_by_a_signed_in_user_is_logged_with_its_statement(
        staff_on_record, casebook_url, log_in, tmp_path):
    """Every command with a purpose or reason, run for real by a user whose role may: it does
    its work, and the audit log says who did what and why. Listed against SIGNED_IN, so a new
    command that touches personal data fails here until its run is added."""
    for role in ("ingest_service", "intelligence_analyst", "supervisor", "information_manager"):
        log_in(staff_on_record[role])
    ingest, analyst = staff_on_record["ingest_service"], staff_on_record["intelligence_analyst"]
    supervisor, manager = staff_on_record["supervisor"], staff_on_record["information_manager"]
    mapping = tmp_path / "fake_1000.yaml"  # linkage's mapping, with the source system a load needs
    mapping.write_text((MAPPINGS / "fake_1000.yaml").read_text() + "source_system: fake_1000\nrole: subject\n")
    mapping = str(mapping)
    # A fifth of the file: enough for uncertain pairs to review; each linkage costs a fifth.
    records = tmp_path / "fake_200.csv"
    records.write_text("".join(FAKE_1000.read_text().splitlines(keepends=True)[:201]))
    with db.transaction(casebook_url) as s:  # a second item and case, to reject and to erase
        review.propose(s, domain=Domain.LINKAGE, kind="person_record_pair", summary="two more records",
                       payload={"record_key_l": "x3", "record_key_r": "x4"}, by_algorithm="peel-linkage")
        cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal", details={},
                        purpose="renewal application received", review_date=date(2020, 1, 1))
    runs = [  # (command path, who, its arguments with the statement last)
        ("peel ingest mapped", ingest, [str(records), "--mapping", mapping, "--purpose", WHY]),
        ("peel link", ingest, ["--purpose", WHY]),
        ("peel link file", analyst, [str(records), "--mapping", mapping, "--out", str(tmp_path / "e.csv"),
                                     "--purpose", WHY]),
        ("peel link explain", analyst, ["fake_1000:0", "fake_1000:1", "--purpose", WHY]),
        ("peel link match", analyst, ["--surname", "Smith", "--purpose", WHY]),
        ("peel link review", analyst, ["--purpose", WHY]),  # puts the run's uncertain pairs in the queue
        ("peel link review accept", analyst, lambda pairs: [*pairs[0], "--reason", WHY]),
        ("peel link review reject", analyst, lambda pairs: [*pairs[1], "--reason", WHY]),
        ("peel review show", supervisor, ["1", "--purpose", WHY]),
        ("peel review accept", supervisor, ["1", "--reason", WHY]),
        ("peel review reject", supervisor, ["2", "--reason", WHY]),
        ("peel retention keep", manager, ["1", "--until", "2030-01-01", "--reason", WHY]),
        ("peel retention erase", manager, ["2", "--reason", WHY]),
    ]
    with_statement = {p for p, (statement, _) in SIGNED_IN.items() if statement}
    assert sorted(path for path, _, _ in runs) == sorted(with_statement - set(AUDITED_BY)), \
        "each command with a purpose or reason: run it here, or name the test that does in AUDITED_BY"
    for path, user, arguments in runs:
        if callable(arguments):
            with db.transaction(casebook_url) as s:
                pairs = sorted(key for key in linkage_proposals(s) if key[0].startswith("fake_1000:"))
            arguments = arguments(pairs)
        before = audit_entries(casebook_url)[-1].seq
        run_as(user, *path.split()[1:], *arguments)
        logged = [(e.actor, e.purpose or json.loads(e.detail).get("reason"))  # a decision's reason
                  for e in audit_entries(casebook_url, before) if e.operation not in ("refusal", "authentication")]
        assert (user, WHY) in logged, (path, logged)
