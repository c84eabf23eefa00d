"""Safe output: values from data files, folder names, purposes and reasons are printed as the
text they are (never as Rich markup), with control characters shown escaped, by every command."""

from __future__ import annotations

import inspect
import io
import logging
import typing
import zipfile

import pytest
import typer
from rich.errors import MarkupError
from typer.testing import CliRunner

from peel.casebook import db, review
from peel.cli import app
from peel.console import Console, error_line, escape_log_messages, make_progress, safe

MARKUP = "[/red][conceal]hidden[/conceal][bold]"
# An ANSI colour, an OSC 8 link dressed as plain text, a bell and a C1 control (CSI).
ESCAPES = "\x1b[31mred\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07\x9b2J"
ESCAPES_SHOWN = "\\x1b[31mred\\x1b]8;;https://evil.example/\\x07click me\\x1b]8;;\\x07\\x9b2J"
HOSTILE = f"{MARKUP} {ESCAPES}"
SSO = ("--identity-provider", "https://sso.force.test")


def run_peel(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "400"})


@pytest.fixture(autouse=True)
def fresh_engines():
    yield
    db.dispose_engines()


def add_user(username: str, role: str, acting: str | None = "admin") -> None:
    as_ = ("--as", acting) if acting else ()
    result = run_peel("users", "add", username, "--role", role, *SSO, "--subject", username, *as_)
    assert result.exit_code == 0, result.output


def test_safe_escapes_every_control_character_and_keeps_markup_as_text():
    assert safe(HOSTILE) == f"{MARKUP} {ESCAPES_SHOWN}"
    assert safe("line one\nline two\ttab\r") == "line one\\nline two\\ttab\\r"


def test_console_prints_markup_verbatim_and_escapes_controls_in_tables_and_errors(capsys):
    from rich.table import Table

    table = Table("value")
    table.add_row(HOSTILE)
    Console(width=400).print(table)
    Console(width=400).print(error_line(HOSTILE))
    printed = capsys.readouterr().out
    assert MARKUP in printed and ESCAPES_SHOWN in printed and "\x1b" not in printed


def test_make_progress_shows_a_description_as_text_and_the_steps_once_counted():
    out = Console(record=True, width=400, file=io.StringIO())
    progress = make_progress(out)
    progress.add_task(HOSTILE, total=None)
    progress.add_task("Verifying the audit chain", total=5, completed=2)
    out.print(progress.make_tasks_table(progress.tasks))
    first, second = out.export_text().splitlines()
    assert MARKUP in first and ESCAPES_SHOWN in first and "0/?" not in first  # no count while none is known
    assert "Verifying the audit chain" in second and "2/5" in second


def test_escape_log_messages_escapes_controls_in_every_logger(caplog):
    escape_log_messages()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("uvicorn.error").warning("Refused GET %s", f"/cases/{ESCAPES}\nforged line")
    assert caplog.records[-1].getMessage() == f"Refused GET /cases/{ESCAPES_SHOWN}\\nforged line"


def test_quarantine_lists_a_month_of_markup_after_the_batch_commits(peel_home, police_uk_zip, tmp_path):
    folder = tmp_path / "police-uk"
    folder.mkdir()
    with zipfile.ZipFile(police_uk_zip) as archive:
        text = archive.read("2021-01/2021-01-hertfordshire-street.csv").decode()
    header, first, *rest = text.splitlines()
    (folder / "2021-01-hertfordshire-street.csv").write_text(
        "\n".join([header, first.replace("2021-01", "[/red]", 1), *rest[:50]]) + "\n")
    loaded = run_peel("ingest", "police-uk", str(folder))
    assert loaded.exit_code == 0, loaded.output
    listed = run_peel("quarantine")
    assert listed.exit_code == 0, listed.output
    assert "bad Month '[/red]': expected YYYY-MM" in listed.output


def test_ingest_names_a_folder_whose_name_is_markup(peel_home, tmp_path):
    # A closing tag's slash is the folder separator: "[conceal]force[" inside "red]" reads as
    # ".../[conceal]force[/red]", which Rich would take for markup and fail on.
    folder = tmp_path / "[conceal]force[" / "red]"
    folder.mkdir(parents=True)
    result = run_peel("ingest", "police-uk", str(folder))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"No police.uk street or outcomes files found in {folder}." in result.output and "[conceal]force[/red]" in result.output


def test_audit_show_prints_a_purpose_of_markup_verbatim(peel_home, log_in):
    add_user("admin", "administrator", acting=None)
    log_in("admin")
    add_user("pp.officer", "public_protection_officer")
    add_user("auditor", "auditor")
    log_in("pp.officer")
    log_in("auditor")
    purpose = "check [/red] then [conceal]the hidden part[/conceal] of it"
    with db.transaction() as s:
        item = review.propose(s, by_algorithm="test", domain="dvds", kind="right_to_know", summary="a candidate")
    read = run_peel("review", "show", str(item), "--purpose", purpose, "--as", "pp.officer")
    assert read.exit_code == 0, read.output
    shown = run_peel("audit", "show", "--as", "auditor")
    assert shown.exit_code == 0, shown.output
    assert purpose in shown.output


def test_review_show_prints_a_reason_with_escapes_escaped(peel_home, log_in):
    add_user("admin", "administrator", acting=None)
    log_in("admin")
    add_user("licensing.officer", "licensing_officer")
    log_in("licensing.officer")
    with db.transaction() as s:
        item = review.propose(s, by_algorithm="test", domain="firearms", kind="safeguarding_alert",
                              summary=f"summary {ESCAPES}", payload={"note": ESCAPES})
    reason = f"not the same person {ESCAPES}"
    decided = run_peel("review", "reject", str(item), "--reason", reason, "--as", "licensing.officer")
    assert decided.exit_code == 0, decided.output
    shown = run_peel("review", "show", str(item), "--purpose", "check the decision made", "--as",
                     "licensing.officer")
    assert shown.exit_code == 0, shown.output
    assert f"not the same person {ESCAPES_SHOWN}" in shown.output and "\x1b" not in shown.output
    assert f"summary {ESCAPES_SHOWN}" in shown.output


# ---- every command that takes text ---------------------------------------------------------

# Commands not run here, and why.
NOT_RUN = {
    "serve": "runs until stopped; it echoes only --host, which the operator sets",
}


def commands(group: typer.Typer) -> list[tuple[list[str], object]]:
    """Every command of the peel app, as (words, its click command), from the Typer app itself,
    so a command added later is fed hostile text too."""
    def walk(command, words):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, [*words, name])
        else:
            yield words, command
    return list(walk(typer.main.get_command(group), []))


def hostile_arguments(command) -> list[str]:
    """A command line giving every text argument and option the hostile value (numbers 1)."""
    function = inspect.unwrap(command.callback)
    hints = typing.get_type_hints(function)
    params = {p.name: p for p in command.params}
    args: list[str] = []
    for name in inspect.signature(function).parameters:
        hint = str(hints[name])
        value = "1" if hint in ("<class 'int'>", "<class 'float'>") else HOSTILE
        if "str" not in hint and "Path" not in hint and value == HOSTILE:
            continue  # flags, dates, choices: not free text
        param = params[name]
        if type(param).__name__ == "TyperArgument":
            args.append(value)
        else:
            args += [param.opts[0], value]
    return args


def test_every_command_shows_hostile_text_as_text(peel_home, log_in, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a command writing to a hostile relative path writes here
    add_user("admin", "administrator", acting=None)
    log_in("admin")
    found = commands(app)
    assert len(found) > 30 and ["audit", "show"] in [words for words, _ in found]
    echoed, crashed = [], {}
    for words, command in found:
        if " ".join(words) in NOT_RUN:
            continue
        result = run_peel(*words, *hostile_arguments(command), input="")
        where = f"peel {' '.join(words)}: {result.output[-400:]}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            crashed[" ".join(words)] = type(result.exception).__name__
        assert not isinstance(result.exception, MarkupError), where
        assert "\x1b" not in result.output and "\x07" not in result.output, where
        if ESCAPES_SHOWN in result.output:
            echoed.append(" ".join(words))
    assert len(echoed) > 10, echoed
    assert crashed == {}  # every command answers hostile input with a message, never a traceback
