"""``peel login`` and ``peel logout``: prove who you are before peel acts as you.

A person signs in with their password (asked without echo, or read from standard input for a
script); a service account (a scripted job such as the nightly ingest) with its key file. Both
go through the casebook's ``sessions.sign_in``, so the lock-out after repeated wrong
passwords and the audit entries are the web app's. The session's token is kept in a file only
this OS user can read (``session_file``); every command that touches personal data or the
casebook then acts as that user, until the session ends (8 hours) or ``peel logout``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from peel.casebook import session_file, sessions
from peel.casebook.errors import CasebookError, InvalidInput, NotSignedIn
from peel.casebook.users import SERVICE_PROVIDER
from peel.console import Console  # reads no markup; escapes control characters

UK = ZoneInfo("Europe/London")
REFUSED_EXIT = 2


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)


def login(
    username: str = typer.Argument(..., help="Your casebook username."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input (for scripts)."),
    key_file: Path = typer.Option(None, "--key-file",
                                  help="A service account's key file (readable by its owner only)."),
) -> None:
    """Sign in: check your password (or a service account's key) and keep a session, for 8
    hours, in a file only you can read. Five wrong passwords in 15 minutes lock the name for 15
    minutes."""
    try:
        if key_file is not None:
            signed_in = sessions.sign_in(username, read_key(key_file, username), provider=SERVICE_PROVIDER,
                                         lifetime=sessions.COMMAND_LINE_SESSION_LIFETIME)
        else:
            password = (sys.stdin.readline().rstrip("\r\n") if password_stdin
                        else typer.prompt(f"Password for {username}", hide_input=True))
            signed_in = sessions.sign_in(username, password,
                                         lifetime=sessions.COMMAND_LINE_SESSION_LIFETIME)
        path = keep_session(signed_in)
    except sessions.AccountLocked as locked:
        _refused(f"{locked} You can try again after {locked.until.astimezone(UK):%H:%M} UK time.")
    except CasebookError as refusal:
        _refused(str(refusal))
    hours = sessions.COMMAND_LINE_SESSION_LIFETIME.total_seconds() / 3600
    Console().print(f"Signed in as {signed_in.actor.username} ({signed_in.actor.role.title}) for "
                    f"{hours:g} hours. Session kept in {path}; `peel logout` ends it.",
                    markup=False, highlight=False)


def logout(
    username: str = typer.Argument(None, help="Whose session to end; default every one of yours here."),
) -> None:
    """Sign out: end your session (every one you have on this computer, by default)."""
    try:
        names = [username] if username else session_file.signed_in_names()
        ended = [name for name in names if end_session(name)]
    except CasebookError as refusal:
        _refused(str(refusal))
    Console().print(f"Signed out: {', '.join(ended)}." if ended else "Nobody was signed in here.",
                    markup=False, highlight=False)


def keep_session(signed_in: sessions.SignedIn) -> Path:
    """Keep a new session in this OS user's file, replacing (and ending) the name's earlier one."""
    end_session(signed_in.actor.username)
    return session_file.save_session(signed_in.actor.username, signed_in.token)


def end_session(username: str) -> bool:
    """End ``username``'s session kept here, in the casebook too; say whether there was one."""
    token = session_file.forget_session(username)
    if token:
        sessions.sign_out(token)
    return token is not None


def write_key(path: Path, key: str) -> None:
    """Write a service account's new key to a new file only its owner can read."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise InvalidInput(f"The key file {path} cannot be made ({error.strerror}); name a new file.") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")


def read_key(path: Path, username: str) -> str:
    """A service account's key, from a file only its OS user may read (as a session file);
    a key file refused is logged as a refused sign-in of ``username``."""
    try:
        session_file.check_private(path, "key file")
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        refusal = NotSignedIn(f"The key file {path} cannot be read ({error.strerror}).")
    except NotSignedIn as unsafe:
        refusal = unsafe
    sessions.record_refused_command("peel login", username, refusal)
    raise refusal


def _refused(message: str) -> None:
    Console(stderr=True).print(f"Refused: {message}", markup=False, highlight=False)
    raise typer.Exit(REFUSED_EXIT)
