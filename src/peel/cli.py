"""The ``peel`` command. Each capability registers its own sub-commands here.

The docstring of each command is its ``--help``.
"""

from __future__ import annotations

import typer

from peel.casebook.cli import register as register_casebook
from peel.console import Console, error_line, escape_log_messages
from peel.crime.cli import register as register_crime
from peel.demo.cli import register as register_demo
from peel.intel.cli import register as register_intel
from peel.linkage.cli import register as register_linkage
from peel.oversight.cli import register as register_oversight
from peel.pack.cli import register as register_pack
from peel.private import FileGroupUnknown, close_at_rest
from peel.sources.cli import register as register_sources
from peel.warehouse.cli import register as register_warehouse
from peel.web.cli import register as register_web

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
    register_pack,
    register_linkage,
    register_intel,
    register_oversight,
    register_casebook,
    register_web,
):
    _register(app)
