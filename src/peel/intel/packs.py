"""An intelligence pack's life: built for a stated purpose by someone with need to know, queued
as a draft for a second person to approve, exported (HTML and PDF) only once approved and only
if every statement still verifies against the warehouse.

Each step checks the acting user itself and is logged: building is a consultation of the
subject (with its purpose), queueing names the author, the decision names the approver, and the
export is logged as a disclosure with author, approver and purpose.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from peel.casebook import (
    PURPOSE,
    Action,
    Domain,
    Operation,
    Request,
    access,
    consultation,
    review,
    transaction,
)
from peel.casebook.errors import InvalidStateChange
from peel.casebook.models import ACCEPTED, ReviewItem
from peel.intel.assemble import assemble
from peel.intel.render import write_pack
from peel.intel.statements import Verification, verify_statements
from peel.intel.subject import resolve_subject
from peel.warehouse import connect, snapshot

DOMAIN = Domain.INTELLIGENCE
KIND = "intelligence_pack"  # the review queue's kind, and the oversight register's name
MARKING = "OFFICIAL-SENSITIVE"


class PackUnverified(ValueError):
    """A pack whose statements do not all verify: it is neither queued nor exported."""

    def __init__(self, check: Verification):
        self.check = check
        first = check.failures[0]
        super().__init__(f"{len(check.failures)} of {check.statements} statements do not verify; first: "
                         f"{first.statement} ({first.claim!r}): {first.reason}.")


@dataclass(frozen=True)
class Draft:
    item_id: int
    pack: dict


@contextmanager
def reading(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con``, or the warehouse opened read-only for the block (once access was checked)."""
    if con is not None:
        yield con
        return
    own = connect(read_only=True)
    try:
        yield own
    finally:
        own.close()


def build_pack(username: str | None, subject_text: str, *, purpose: str | None,
               con: duckdb.DuckDBPyConnection | None = None) -> dict:
    """The pack on the subject ``subject_text`` names, for ``username`` and ``purpose``: refused
    (and the refusal logged) unless the user may read intelligence personal data; the consultation
    is logged with the subject. The pack is checked against the warehouse before it is returned."""
    with (consultation(username, domain=DOMAIN, object_type=KIND, purpose=purpose) as shown,
          reading(con) as wcon):
        subject = resolve_subject(wcon, subject_text)
        statements = [s.to_dict() for s in assemble(wcon, subject)]
        shown.append(subject.ref)
        pack = _pack(wcon, subject, subject_text, purpose, username, statements)
    return pack


def _pack(con, subject, subject_text: str, purpose: str | None, username: str | None, statements) -> dict:
    pack = {
        "pack_id": f"IP-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3).upper()}",
        "marking": MARKING,
        "subject": {"kind": subject.kind, "value": subject.value, "ref": subject.ref,
                    "linkage_run": subject.run_id, "as_given": subject_text},
        "purpose": (purpose or "").strip(),
        "author": username,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": {k: v for k, v in snapshot(con).items() if k in ("latest_batch", "loaded_at")},
        "statements": statements,
    }
    check = verify_statements(con, statements)  # made only through what the verifier passes
    if not check.passed:
        raise PackUnverified(check)
    return pack


def verify_pack(username: str | None, path: Path, *, purpose: str | None,
                con: duckdb.DuckDBPyConnection | None = None) -> Verification:
    """Re-derive the statements of the pack.json at ``path`` from the warehouse, for someone who
    may read intelligence records (a failure names the statement, and so shows personal data);
    the check is logged with the pack's subject."""
    with (consultation(username, domain=DOMAIN, object_type=KIND, purpose=purpose) as shown,
          reading(con) as wcon):
        pack = read_pack_file(path)
        check = verify_statements(wcon, pack["statements"])
        shown.append(str(pack.get("subject", {}).get("ref")))
    return check


def read_pack_file(path: Path) -> dict:
    """A pack.json as `peel intel pack` wrote it; a ValueError saying what is wrong otherwise."""
    try:
        pack = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"Cannot read the pack {path}: {error.strerror}.") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON (line {error.lineno}): give the pack.json "
                         "`peel intel pack` wrote.") from None
    if not isinstance(pack, dict) or not isinstance(pack.get("statements"), list):
        # A bad file, said as the other bad-input errors are (a ValueError, exit status 2).
        raise ValueError(f"{path} holds no 'statements' list: give the pack.json `peel intel pack` wrote.")  # noqa: TRY004
    return pack


def submit_pack(username: str, pack: dict) -> int:
    """Queue ``pack`` as a draft for a second person's approval; return its review item."""
    with transaction() as session:
        return review.propose(
            session, domain=DOMAIN, kind=KIND, by_user=username, subject_ref=pack["subject"]["ref"],
            summary=f"Intelligence pack {pack['pack_id']}: {len(pack['statements'])} statements, for approval",
            payload=pack, purpose=pack["purpose"])


def draft_pack(username: str, subject_text: str, *, purpose: str,
               con: duckdb.DuckDBPyConnection | None = None) -> Draft:
    """Build the pack and queue it for approval."""
    pack = build_pack(username, subject_text, purpose=purpose, con=con)
    return Draft(submit_pack(username, pack), pack)


def write_draft(draft: Draft, folder: Path) -> dict[str, Path]:
    """The draft's HTML, marked DRAFT, and its pack.json (what `peel intel verify` reads)."""
    files = write_pack(draft.pack, folder, status=f"DRAFT, awaiting approval (review item {draft.item_id})",
                       pdf=False)
    files["json"] = folder / "pack.json"
    files["json"].write_text(json.dumps(draft.pack, indent=1, default=str), encoding="utf-8")
    return files


def decide_pack(username: str, item_id: int, *, approve: bool, reason: str) -> None:
    """A second person's approval (or rejection) of a queued pack, with the reason."""
    with transaction() as session:
        review.decide(session, username, item_id, accept=approve, reason=reason)
        kind = session.get(ReviewItem, item_id).kind
        if kind != KIND:  # raised inside the transaction: the decision is rolled back
            raise InvalidStateChange(f"Review item {item_id} is a {kind}, not an intelligence pack: "
                                     "decide it with `peel review`.")


def read_pack(username: str, item_id: int, *, purpose: str) -> tuple[dict, review.ReviewItemView]:
    """A queued pack and its review state, for someone who may read it; the read is logged."""
    with transaction() as session:
        view = review.show_item(session, username, item_id, purpose=purpose)
    if view.kind != KIND:
        raise InvalidStateChange(f"Review item {item_id} is a {view.kind}, not an intelligence pack.")
    return _plain(view.payload), view


def export_pack(username: str, item_id: int, *, purpose: str, out_dir: Path,
                con: duckdb.DuckDBPyConnection | None = None) -> dict[str, Path]:
    """Write the approved pack's HTML and PDF into ``out_dir``, once it verifies again."""
    pack, view = read_pack(username, item_id, purpose=purpose)
    if view.status != ACCEPTED:
        raise InvalidStateChange(f"Pack {pack['pack_id']} (review item {item_id}) is {view.status}: only an "
                                 "approved pack is exported. A second person approves it with "
                                 f"`peel intel approve {item_id} --reason ...`.")
    with reading(con) as wcon:
        check = verify_statements(wcon, pack["statements"])
    if not check.passed:
        raise PackUnverified(check)
    status = (f"Approved by {view.decided_by} on {view.decided_at:%d %B %Y %H:%M} UTC "
              f"({view.reason}); author {view.proposed_by}")
    files = write_pack(pack, out_dir, status=status, pdf=True)
    with transaction() as session:
        actor = access.authorise(session, username, Request(
            Action.READ_PERSONAL, KIND, item_id, DOMAIN, pack["subject"]["ref"], purpose, PURPOSE))
        access.record(session, actor, Operation.DISCLOSURE, KIND, item_id, subject_ref=pack["subject"]["ref"],
                      purpose=purpose, detail={"pack_id": pack["pack_id"], "author": view.proposed_by,
                                               "approver": view.decided_by, "files": [p.name for p in files.values()]})
    return files


def _plain(value):
    """A payload as plain dicts and lists (the review queue hands it back read-only)."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
