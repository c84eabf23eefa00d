"""The command line's sessions: who is signed in, kept in a file only its OS user can read.

``peel login`` opens a casebook session (``sessions.sign_in``: the password or key, the
lock-out) and keeps its random token in ``PEEL_HOME/sessions/<OS user id>/<username>``: the
folder 0700, the file 0600, both owned by that OS user. The casebook keeps only the token's
hash, so the file is the credential; a command acts as a user only while the casebook still
has the session (8 hours from sign-in, and the account still active).

A file that another OS user owns, or that others could read, is refused and not used: someone
who could read it could act as that user. Each OS user has a folder of their own, so several
people can share one ``PEEL_HOME`` (the administrator then creates ``PEEL_HOME/sessions`` with
mode 1733, like /tmp, so each can make their own folder and nobody can list another's).

``--as NAME`` (or ``PEEL_USER``) picks which of your sessions a command uses; it is never a
way to be someone: without a session for that name the command is refused, and the refusal
logged, with a message saying to run ``peel login``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from peel.casebook import sessions
from peel.casebook.errors import NotSignedIn
from peel.casebook.users import USERNAME_PATTERN
from peel.settings import get_settings

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def sessions_folder() -> Path:
    """This OS user's folder of session files under PEEL_HOME."""
    return get_settings().home / "sessions" / str(os.getuid())


def save_session(username: str, token: str) -> Path:
    """Keep ``token`` as ``username``'s session, readable by this OS user only."""
    folder = sessions_folder()
    folder.parent.parent.mkdir(parents=True, exist_ok=True)
    for level in (folder.parent, folder):  # mkdir's mode applies to the folder it makes only
        level.mkdir(mode=FOLDER_MODE, exist_ok=True)
    check_private(folder, "session folder")
    path = folder / username
    path.unlink(missing_ok=True)
    # Created with its final mode, so there is no moment when others could read it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    return path


def read_token(username: str) -> str | None:
    """The token of ``username``'s session kept here, or None if there is none; refuse a file
    (or folder) another OS user owns or others could read."""
    path = sessions_folder() / username
    if not path.parent.exists():
        return None
    check_private(path.parent, "session folder")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as error:  # a link planted in its place, or a file we may not read
        raise NotSignedIn(f"The session file {path} cannot be used ({error.strerror}). Delete it and "
                          f"run `peel login {username}`.") from None
    with os.fdopen(descriptor, encoding="utf-8") as file:
        check_private(path, "session file", os.fstat(file.fileno()))
        return file.read().strip()


def signed_in_names() -> list[str]:
    """The users with a session file here (their sessions may have ended since)."""
    folder = sessions_folder()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if USERNAME_PATTERN.match(p.name))


def forget_session(username: str) -> str | None:
    """Remove ``username``'s session file; return the token it held (None if none)."""
    token = read_token(username)
    (sessions_folder() / username).unlink(missing_ok=True)
    return token


def current_user(claimed: str | None, command: str) -> str:
    """The user ``command`` acts as: the one named by ``claimed`` (``--as`` / ``PEEL_USER``),
    or the only one signed in here, if their session is still open in the casebook. Refuse
    with ``NotSignedIn`` otherwise, having logged the refusal."""
    try:
        return _find_user(claimed)
    except NotSignedIn as refusal:
        sessions.record_refused_command(command, claimed, refusal)
        raise


def _find_user(claimed: str | None) -> str:
    if claimed is None:
        names = signed_in_names()
        if not names:
            raise NotSignedIn("Nobody is signed in: run `peel login USERNAME` first.")
        if len(names) > 1:
            raise NotSignedIn(f"Several users are signed in here ({', '.join(names)}): say which "
                              "with --as USERNAME.")
        claimed = names[0]
    token = read_token(claimed) if USERNAME_PATTERN.match(claimed) else None
    if token is None:
        raise NotSignedIn(f"{claimed} is not signed in on this computer: run `peel login {claimed}` "
                          "(naming a user with --as or PEEL_USER does not sign in).")
    actor = sessions.find_session(token)
    if actor is None or actor.username != claimed:
        (sessions_folder() / claimed).unlink(missing_ok=True)
        hours = sessions.COMMAND_LINE_SESSION_LIFETIME.total_seconds() / 3600
        raise NotSignedIn(f"The session of {claimed} has ended (sessions last {hours:g} hours, and end "
                          f"when the account is disabled): run `peel login {claimed}` again.")
    return actor.username


def check_private(path: Path, kind: str, status: os.stat_result | None = None) -> None:
    """Refuse a file or folder holding a credential that is not this OS user's alone."""
    status = status or os.stat(path, follow_symlinks=False)
    if status.st_uid != os.getuid():
        raise NotSignedIn(f"The {kind} {path} belongs to another OS user, so it is not used. "
                          "Use your own, made by `peel login USERNAME`.")
    if stat.S_IMODE(status.st_mode) & 0o077:
        raise NotSignedIn(f"The {kind} {path} can be read by other OS users (mode "
                          f"{stat.S_IMODE(status.st_mode):o}), so it is not used: anyone who read it "
                          "could act as you. Make it private (chmod 600, or 700 for a folder) or sign in again.")
