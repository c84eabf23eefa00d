"""The ``peel`` command. Each capability registers its own sub-commands here.

The docstring of each command is its ``--help``.
"""

from __future__ import annotations

import typer

from peel.casebook.cli import register as register_casebook
from peel.console import Console, error_line, escape_log_messages
from peel.control_room.cli import register as register_control_room
from peel.crime.cli import register as register_crime
from peel.demo.cli import register as register_demo
from peel.dvds.cli import register as register_dvds
from peel.firearms.cli import register as register_firearms
from peel.intel.cli import register as register_intel
from peel.lfr.cli import register as register_lfr
from peel.linkage.cli import register as register_linkage
from peel.oversight.cli import register as register_oversight
from peel.pack.cli import register as register_pack
from peel.private import FileGroupUnknown, close_at_rest
from peel.sources.cli import register as register_sources
from peel.warehouse.cli import register as register_warehouse
from peel.web.cli import register as register_web
from peel.workforce.cli import register as register_workforce

app = typer.Typer(
    name="peel",
    help="Police data into accountable evidence: ingest, measures, linkage, cases, the meeting pack.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings wrap as paragraphs, not at their line breaks
    pretty_exceptions_show_locals=False,  # a crash must never print the personal data in locals
)


@app.callback()
def main() -> None:
    """peel keeps all its state under PEEL_HOME (default ./peel-data)."""
    escape_log_messages()
    try:
        close_at_rest()  # before anything is written: owner-only files, or PEEL_FILE_GROUP's
    except FileGroupUnknown as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None


# Each capability registers its own commands, in the order `peel --help` lists them:
# data in, what is loaded, figures, the pack, linkage, the casebook, the web app.
for _register in (
    register_sources,
    register_demo,
    register_warehouse,
    register_crime,
    register_control_room,
    register_firearms,
    register_pack,
    register_lfr,
    register_linkage,
    register_intel,
    register_oversight,
    register_casebook,
    register_dvds,
    register_web,
    register_workforce,
):
    _register(app)


def run() -> None:
    """The ``peel`` command's entry point: the app, and for a fault in peel itself (an error
    no command expected) one line saying what happened and where the details are, instead of
    a traceback. The traceback goes to a file in PEEL_HOME/logs, readable by its owner only,
    because a value in it may be personal data."""
    try:
        app()
    except Exception as error:  # noqa: BLE001 - the last resort: every expected error has its message
        Console(stderr=True).print(error_line(
            f"peel stopped on an error it did not expect ({type(error).__name__}). Loads and case "
            f"changes are all or nothing, so nothing was half-written. The details are in "
            f"{_write_crash_report()}: give that file to whoever supports peel in your force."))
        raise SystemExit(1) from None


def _write_crash_report():
    import time
    import traceback

    from peel.settings import get_settings

    folder = get_settings().home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}.txt"
    path.touch(mode=0o600)
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path
