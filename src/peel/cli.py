"""The ``peel`` command. Each capability registers its own sub-commands here.

The docstring of each command is its ``--help``.
"""

from __future__ import annotations

import typer

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


# Capabilities register their commands below, one import each.
from peel.warehouse.cli import register as _register_warehouse  # noqa: E402

_register_warehouse(app)

from peel.measures.cli import register as _register_measures  # noqa: E402

_register_measures(app)

from peel.pack.cli import register as _register_pack  # noqa: E402

_register_pack(app)

from peel.demo.cli import register as _register_demo  # noqa: E402

_register_demo(app)

from peel.linkage.cli import register as _register_linkage  # noqa: E402

_register_linkage(app)

from peel.sources.cli import register as _register_sources  # noqa: E402

_register_sources(app)

from peel.casebook.cli import register as _register_casebook  # noqa: E402

_register_casebook(app)

from peel.demo.persons import register as _register_demo_persons  # noqa: E402

_register_demo_persons(app)
