"""Safe output: every command prints through the consoles made here, so a value from a data
file, a folder name, a purpose or a reason is shown as the text it is.

Two things could otherwise hijack a terminal. Rich markup: Rich reads ``[red]``, ``[/red]`` or
``[conceal]`` in a printed string as styling, so a value holding ``[/red]`` crashes the command
and ``[conceal]`` hides text from whoever reads it. Control characters: ANSI escape sequences
(colours, cursor moves, clearing the screen), OSC 8 links dressed as ordinary text, and other
C0/C1 characters reach the terminal as commands.

So these consoles never read markup, in anything they print (tables included), and show every
control character but the line breaks of peel's own messages escaped, as ``\\x1b``. A value
printed inside a message goes through ``safe`` as well, which escapes line breaks too, so a
value cannot forge a line of output. A styled label ("Error: " in red, "warning: " in yellow)
comes from ``error_line``, a Rich ``Text``, which is never parsed. Log messages (the web app's, uvicorn's) are escaped the same way once
``escape_log_messages`` has run: a request's path or a sign-in's reason may hold anything.
"""

from __future__ import annotations

import logging
import re

from rich.console import Console as RichConsole
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeElapsedColumn,
)
from rich.text import Text

# C0 controls, DEL and C1 controls: shown escaped. Line breaks are kept in ``Console`` output
# (peel's own messages use them) but escaped by ``safe``.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match[0]
    return _NAMED.get(char, f"\\x{ord(char):02x}")


def safe(value: object) -> str:
    """``value`` as one line of plain text: every control character (line breaks included)
    shown escaped. Markup needs no escaping: peel's consoles never read it."""
    return _CONTROL.sub(_escape, str(value))


def error_line(message: object, label: str = "Error: ", style: str = "red") -> Text:
    """``label`` in ``style``, then ``message`` as plain text (its own line breaks kept)."""
    return Text.assemble((label, style), _CONTROL_BUT_NEWLINE.sub(_escape, str(message)))


class Console(RichConsole):
    """A Rich console that reads no markup, no emoji codes and highlights nothing, and shows
    control characters escaped in every string it renders, table cells included."""

    def __init__(self, **options) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)
        if "width" not in options:
            # Rich fixes the width from COLUMNS when the console is made; a console made when a
            # module is imported would then keep that width for good. Read it at each print.
            self._width = None

    def render_str(self, text: str, **options) -> Text:
        options.update(markup=False, emoji=False, highlight=False)
        return super().render_str(_CONTROL_BUT_NEWLINE.sub(_escape, text), **options)


class _Description(ProgressColumn):
    """What is being done, as plain text with control characters escaped: a Rich column builds
    its ``Text`` itself, so the console's own escaping never sees it (a file's name may hold anything)."""

    def render(self, task: Task) -> Text:
        return Text(safe(task.description))


class _Count(MofNCompleteColumn):
    """Steps done of the total; nothing while the total is unknown (one step of no known size)."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.total is not None else Text("")


def make_progress(console: Console | None = None, *, transient: bool = True) -> Progress:
    """Every command's progress display: what is being done (a file's or a step's name, shown as
    the text it is: never as markup, control characters escaped), a bar (moving to and fro while the total is unknown), the
    steps done of the total, and the time taken. On stderr unless ``console`` says otherwise,
    so a command's output stays clean to pipe; gone once done unless not ``transient``."""
    return Progress(_Description(), BarColumn(), _Count(), TimeElapsedColumn(),
                    console=console or Console(stderr=True), transient=transient)


def escape_log_messages() -> None:
    """From now on, show control characters escaped (line breaks included, so a value cannot
    forge a log line) in every log message this process writes, whichever library logs it."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "escapes_controls", False):
        return

    def make_safe_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage
        record.getMessage = lambda: safe(message())
        return record

    make_safe_record.escapes_controls = True
    logging.setLogRecordFactory(make_safe_record)
