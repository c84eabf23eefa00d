"""The audit chain's key, and the anchors written outside the database.

The key makes each entry's hash an HMAC, so whoever can write to the database but does not
hold the key cannot forge an entry, nor recompute the chain after changing one. It is never
stored in the database: it comes from ``PEEL_AUDIT_KEY`` (64 hex digits, for a force that keeps
it in a secrets store), or from the file ``PEEL_AUDIT_KEY_FILE`` (default ``audit-key`` beside
a SQLite casebook, else in PEEL_HOME; created 0600 when the casebook is first created or
upgraded).

Anchors are ``ENTRY:HASH`` lines appended to ``PEEL_AUDIT_ANCHOR_FILE`` (default: beside
the folder holding a SQLite casebook, else beside PEEL_HOME; never in it), never rewritten: every 1,000th entry and every intact verify adds one.
A whole log replaced by an older copy of itself (the one attack a key alone cannot see) then
disagrees with an anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from peel.casebook.errors import CasebookUnavailable
from peel.settings import get_settings

KEY_BYTES = 32
ANCHOR_LINE = re.compile(r"^(\d+):([0-9a-f]{64})\b")
_keys: dict[tuple[str | None, Path], bytes] = {}
# The key each casebook (by URL) was opened with this process: reading the settings again on
# every append would cost a tenth of a write.
_keys_by_casebook: dict[URL, bytes] = {}


def load_key(casebook_url: str | None = None, *, create: bool = False) -> bytes:
    """The chain key of the casebook at ``casebook_url`` (default the configured one). ``create``
    makes a new key file when there is none (only the migration that keys the chain does that:
    a key lost later must be restored, not silently replaced)."""
    settings = get_settings()
    cached = (settings.audit_key, settings.audit_key_path(casebook_url))
    if cached not in _keys:
        if settings.audit_key is not None:
            _keys[cached] = parse_key(settings.audit_key, "PEEL_AUDIT_KEY")
        else:
            _keys[cached] = _read_key_file(cached[1], create)
    return _keys[cached]


def key_for(session: Session) -> bytes:
    """The chain key for the casebook ``session`` is connected to (read once per process)."""
    url = session.get_bind().url
    if url not in _keys_by_casebook:
        _keys_by_casebook[url] = load_key(str(url))
    return _keys_by_casebook[url]


def parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise CasebookUnavailable(
            f"{where} does not hold an audit key: expected {KEY_BYTES * 2} hexadecimal digits "
            f"(make one with: python -c 'import secrets; print(secrets.token_hex({KEY_BYTES}))').")
    return key


def _read_key_file(path: Path, create: bool) -> bytes:
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: of two processes creating the casebook at once, one writes the key and
            # the other reads it.
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(KEY_BYTES) + "\n")
    try:
        return parse_key(path.read_text(), f"The audit key file {path}")
    except FileNotFoundError:
        raise CasebookUnavailable(
            f"The audit key file {path} is missing, so the audit log can be neither extended nor "
            "verified. Restore it from your backup (or set PEEL_AUDIT_KEY_FILE to where it is); "
            "a new key would not verify the entries already written.") from None


def key_id(key: bytes) -> str:
    """A short fingerprint naming the key (not revealing it), kept in the chain head so that
    verify can tell a wrong key from a tampered log."""
    return hmac.new(key, b"peel audit key id", hashlib.sha256).hexdigest()[:16]


def forget_keys() -> None:
    """Read the key again on next use (tests that change it)."""
    _keys.clear()
    _keys_by_casebook.clear()


def anchor_path_for(session: Session) -> Path:
    """The anchor file of the casebook ``session`` is connected to."""
    return get_settings().audit_anchor_path(session.get_bind().url.render_as_string(hide_password=False))


def read_anchors(path: Path | None = None) -> dict[int, str]:
    """The anchors recorded in the anchor file: entry number -> hash (the first one recorded for
    an entry, if one were recorded twice)."""
    path = path or get_settings().audit_anchor_file
    anchors: dict[int, str] = {}
    if not path.exists():
        return anchors
    for line in path.read_text(encoding="utf-8").splitlines():
        found = ANCHOR_LINE.match(line)
        if found:
            anchors.setdefault(int(found[1]), found[2])
    return anchors


def record_anchor(seq: int, digest: str, path: Path | None = None) -> Path:
    """Append ``seq:digest`` and the time to the anchor file (opened for appending only, so
    nothing in it is ever rewritten), and return the file's path."""
    path = path or get_settings().audit_anchor_file
    line = f"{seq}:{digest} {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line)
    except OSError as error:
        raise CasebookUnavailable(
            f"Could not append the audit anchor to {path} ({error.strerror}). Set "
            "PEEL_AUDIT_ANCHOR_FILE to a file peel may append to.") from None
    return path
