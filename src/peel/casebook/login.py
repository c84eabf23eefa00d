"""``peel login`` and ``peel logout``: prove who you are before peel acts as you.

A person signs in with their password (asked without echo, or read from standard input for a
script); a service account (a scripted job such as the nightly ingest) with its key file. Both
go through the casebook's ``sessions.sign_in``, so the lock-out after repeated wrong
passwords and the audit entries are the web app's. A single sign-on account signs in through
its provider (``--provider``: the device flow of ``device_sign_in``), as on the web. The session's token is kept in a file only
this OS user can read (``session_file``); every command that touches personal data or the
casebook then acts as that user, until the session ends (8 hours) or ``peel logout``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.text import Text

from peel.casebook import session_file, sessions
from peel.casebook.errors import CasebookError, InvalidInput, NotSignedIn
from peel.casebook.users import SERVICE_PROVIDER
from peel.console import Console  # reads no markup; escapes control characters
from peel.settings import get_settings

UK = ZoneInfo("Europe/London")
REFUSED_EXIT = 2


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)


def login(
    username: str = typer.Argument(None, help="Your casebook username (with --provider: optional, "
                                              "checked against the account the provider names)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input (for scripts)."),
    key_file: Path = typer.Option(None, "--key-file",
                                  help="A service account's key file (readable by its owner only)."),
    provider: str = typer.Option(None, "--provider",
                                 help="Sign in through this single sign-on provider: open the "
                                      "address shown, in any browser, and enter the code."),
) -> None:
    """Sign in: check your password (or a service account's key, or your single sign-on with
    --provider) and keep a session, for 8 hours, in a file only you can read. Five wrong
    passwords in 15 minutes lock the name for 15 minutes."""
    if username is None and provider is None:
        _refused("Name your username (`peel login USERNAME`), or your single sign-on provider "
                 "(`peel login --provider NAME`).")
    try:
        if provider is not None:
            signed_in = sign_in_through(provider, username)
        elif key_file is not None:
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
    except KeyboardInterrupt:  # Ctrl-C while waiting for the provider
        _refused("Cancelled: nobody was signed in.")
    hours = sessions.COMMAND_LINE_SESSION_LIFETIME.total_seconds() / 3600
    Console().print(f"Signed in as {signed_in.actor.username} ({signed_in.actor.role.title}) for "
                    f"{hours:g} hours. Session kept in {path}; `peel logout` ends it.",
                    markup=False, highlight=False)


def sign_in_through(name: str, username: str | None) -> sessions.SignedIn:
    """Single sign-on through provider ``name`` of the web's list, showing the code to enter
    there and a spinner while waiting; when ``username`` is given, the account must be it."""
    from peel.casebook.device_sign_in import sign_in_with_device  # authlib, only when needed
    from peel.casebook.identity_providers import IdentityProvidersError, load_identity_providers

    settings = get_settings()
    try:
        providers = load_identity_providers(settings.identity_providers_file)
    except IdentityProvidersError as error:
        raise InvalidInput(str(error)) from None
    if name not in providers:
        known = ", ".join(providers) or f"none ({settings.identity_providers_file} declares none)"
        raise InvalidInput(f"There is no single sign-on provider {name!r}; the providers are: {known}.")
    console = Console(stderr=True)
    waiting = console.status(Text(f"Waiting for you to approve at {providers[name].title} "
                                  "(Ctrl-C cancels)"))

    def show(code) -> None:
        console.print(f"To sign in, open {code.verification_uri_complete or code.verification_uri} "
                      f"in a browser and check that the code shown there is {code.user_code}\n"
                      f"(or open {code.verification_uri} and enter {code.user_code}). The code "
                      f"lasts {max(code.expires_in // 60, 1)} minutes.", markup=False, highlight=False)
        waiting.start()

    try:
        signed_in = sign_in_with_device(providers[name], show=show, url=settings.casebook_url,
                                        lifetime=sessions.COMMAND_LINE_SESSION_LIFETIME)
    finally:
        waiting.stop()
    if username is not None and signed_in.actor.username != username:
        sessions.sign_out(signed_in.token, url=settings.casebook_url)
        raise NotSignedIn(f"{providers[name].title} signed you in as {signed_in.actor.username}, "
                          f"not {username}: nobody is signed in. Sign in at the provider as "
                          f"{username}, or run `peel login --provider {name}` without a username.")
    return signed_in


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
