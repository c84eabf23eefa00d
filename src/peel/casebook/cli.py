"""Casebook commands: ``peel users``, ``peel audit``, ``peel review``, ``peel retention``.

Every command acts as the user signed in with ``peel login`` (``--as USERNAME`` or
``PEEL_USER`` pick one of several; a name alone signs nobody in) and is checked against that
user's role. Refusals print what was wrong and exit with status 2, writing
nothing but the refusal's own audit entry; so does a casebook that cannot be opened (a bad ``PEEL_CASEBOOK_URL``, a server not answering)
or stays locked by another writer.
"""

from __future__ import annotations

import functools
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy.exc import OperationalError

from peel.casebook import access, audit, login, retention, review, session_file, users
from peel.casebook.audit import AuditFilter
from peel.casebook.db import transaction
from peel.casebook.errors import CasebookError, CasebookUnavailable, InvalidInput
from peel.casebook.models import as_utc
from peel.casebook.roles import get_role, load_roles
from peel.console import (  # reads no markup; escapes control characters
    Console,
    error_line,
    make_progress,
    safe,
)
from peel.settings import get_settings

UK = ZoneInfo("Europe/London")
REFUSED_EXIT = 2
BROKEN_EXIT = 1
# `peel review list --status all`: every status (None to the library).
EVERY_STATUS = "all"

users_app = typer.Typer(help="Casebook accounts and their roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log: verify it, search it.", no_args_is_help=True)
review_app = typer.Typer(help="The review queue: algorithms propose, a named person decides.",
                         no_args_is_help=True)
retention_app = typer.Typer(
    help="With no sub-command: list cases due for review (open) or deletion (closed). Then keep or erase them.",
    invoke_without_command=True,
)



def console() -> Console:
    """Standard output, sized to the terminal at the time of the command."""
    return Console()


def errors() -> Console:
    return Console(stderr=True)


def make_table(*headers: str) -> Table:
    """A table that wraps long cells rather than cutting them: an audit row must be read whole."""
    table = Table()
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def signed_in_user(ctx: typer.Context, username: str | None) -> str:
    """The user this command acts as: signed in with `peel login` (``username``, else
    PEEL_USER, picks one of several sessions). Refused (and logged) otherwise, exit status 2."""
    try:
        return session_file.current_user(username or get_settings().user, ctx.command_path)
    except CasebookError as refusal:
        kind = "Error" if isinstance(refusal, CasebookUnavailable) else "Refused"
        errors().print(f"{kind}: {refusal}", markup=False, highlight=False)
        raise typer.Exit(REFUSED_EXIT) from None


def _signed_in(ctx: typer.Context, username: str | None) -> str | None:
    return username if ctx.resilient_parsing else signed_in_user(ctx, username)


_ACTING_HELP = "Which signed-in user to act as (`peel login`), when several are; or set PEEL_USER."
# A command's acting user, checked as its options are read. A group's own command (run with
# no sub-command) takes ACTING_NAME and calls signed_in_user itself, when it runs.
ACTING = typer.Option(None, "--as", callback=_signed_in, help=_ACTING_HELP)
ACTING_NAME = typer.Option(None, "--as", help=_ACTING_HELP)
ITEM_ID = typer.Argument(..., help="The review item's number, as `peel review list` shows it.")
CASE_ID = typer.Argument(..., help="The case's number, as `peel retention` shows it.")


def register(app: typer.Typer) -> None:
    login.register(app)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.add_typer(review_app, name="review")
    app.add_typer(retention_app, name="retention")


def refusals_exit(command):
    """Turn a casebook refusal, or a casebook that cannot be used, into a readable message and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CasebookUnavailable as error:
            errors().print(error_line(error, "Error: ", "bold red"))
        except CasebookError as refusal:
            errors().print(error_line(refusal, "Refused: ", "bold red"))
        except OperationalError as error:
            # A SQLite writer waited out the busy timeout, or the PostgreSQL server did not answer.
            errors().print(error_line(
                f"the casebook could not be used ({str(error.orig).strip()}). If another "
                "peel command is writing to it, try again when it has finished; otherwise check PEEL_CASEBOOK_URL.",
                "Error: ", "bold red"))
        raise typer.Exit(REFUSED_EXIT) from None

    return wrapper


def format_uk(value: datetime | None) -> str:
    """An instant in UK local time, as people there read it."""
    return value.astimezone(UK).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def uk_midnight(day: date) -> datetime:
    """The instant a UK calendar day starts (across the clock changes)."""
    return datetime.combine(day, time(0), tzinfo=UK)


def uk_period(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """The instants from the start of UK day ``since`` to the end of UK day ``until`` (either open)."""
    return (uk_midnight(since.date()) if since else None,
            uk_midnight(until.date() + timedelta(days=1)) if until else None)


# ---- users -------------------------------------------------------------------------------


@users_app.command("add")
@refusals_exit
def users_add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name: lower-case letters, digits, . _ -"),
    role: str = typer.Option(..., "--role", help="One of the roles listed by `peel users roles`."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    identity_provider: str = typer.Option(
        users.LOCAL_PROVIDER, "--identity-provider",
        help="'local' (a password), or the name of a single sign-on provider in "
             "PEEL_IDENTITY_PROVIDERS (no password then).",
    ),
    external_subject: str = typer.Option(
        None, "--subject", "--external-subject",
        help="The user's subject id at that identity provider (the ID token's 'sub').",
    ),
    key_file: Path = typer.Option(
        None, "--service-key-file",
        help="Make a service account (a scripted job): write its new key to this file, readable "
             "by its owner only; the job signs in with `peel login NAME --key-file FILE`.",
    ),
    acting: str = ACTING_NAME,
) -> None:
    """Add a user with a role. With no users yet, the first must be an administrator, added
    on the casebook's own machine without signing in; after that, sign in as an administrator."""
    with transaction(readonly=True) as session:
        bootstrap = users.count_users(session) == 0
    acting = None if bootstrap else signed_in_user(ctx, acting)
    title = get_role(role).title  # before asking for a password
    password = None
    if key_file is not None:
        identity_provider, password = users.SERVICE_PROVIDER, users.new_service_key()
        login.write_key(key_file, password)
    elif identity_provider == users.LOCAL_PROVIDER:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt(f"Password for {username}", hide_input=True, confirmation_prompt=True)
    try:
        with transaction() as session:
            users.add_user(session, username, role, acting=acting, password=password,
                           identity_provider=identity_provider, external_subject=external_subject)
    except BaseException:
        if key_file is not None:
            key_file.unlink()  # no key left for an account that was not made
        raise
    console().print(f"Added {username} as {title}.", markup=False, highlight=False)
    if bootstrap:
        console().print(f"Sign in with `peel login {username}`.", markup=False, highlight=False)


@users_app.command("list")
@refusals_exit
def users_list(acting: str = ACTING) -> None:
    """List the accounts, their roles and whether they are active."""
    with transaction(readonly=True) as session:
        accounts = users.list_users(session, acting=acting)
    table = make_table("username", "role", "identity provider", "active", "created (UK)")
    for account in accounts:
        table.add_row(account.username, account.role, account.identity_provider,
                      "yes" if account.active else "disabled", format_uk(as_utc(account.created_at)))
    console().print(table)


@users_app.command("disable")
@refusals_exit
def users_disable(
    username: str = typer.Argument(..., help="Login name of the account to disable."),
    acting: str = ACTING,
) -> None:
    """Disable an account. It is kept, so the audit log's references to it stay meaningful."""
    with transaction() as session:
        users.disable_user(session, username, acting=acting)
    console().print(f"Disabled {username}.")


@users_app.command("roles")
def users_roles() -> None:
    """Show each role, the job it is for and what it may do."""
    table = make_table("role", "job", "may")
    for role in load_roles().values():
        grants = "; ".join(f"{action.value}: {', '.join(sorted(domains))}" for action, domains in role.grants.items())
        table.add_row(f"{role.name}\n({role.title})", role.job, grants)
    console().print(table)


# ---- audit -------------------------------------------------------------------------------


@audit_app.command("verify")
@refusals_exit
def audit_verify(
    anchor: list[str] = typer.Option(
        None, "--anchor", metavar="ENTRY:HASH",
        help="A head printed by an earlier verify and kept outside the database; repeatable.",
    ),
    acting: str = ACTING,
) -> None:
    """Check every entry's hash and link: exit 0 if intact, 1 naming the first broken entry."""
    anchors = parse_anchors(anchor or [])
    with (transaction(snapshot=True, readonly=True) as session,
          make_progress() as progress):
        task = progress.add_task("Verifying the audit chain", total=audit.count_recorded(session))
        result = access.verify_audit_log(session, acting, lambda n: progress.advance(task, n), anchors)
    if result.intact:
        console().print(f"Audit log intact: {result.entries} entries.")
        # One unbroken line, so it can be copied into the pack or a note to the DPO.
        console().print(f"Anchor (keep it outside the database): {result.head_seq}:{result.head_hash}",
                        soft_wrap=True)
        console().print(f"Recorded in the anchor file {get_settings().audit_anchor_file}.", soft_wrap=True)
        return
    errors().print(error_line(f"{result.reason}. "
                 f"{result.entries} entries before it check out. Preserve the database as evidence "
                 "and report it to professional standards.",
                 f"Audit log broken at entry {result.broken_seq}: ", "bold red"))
    raise typer.Exit(BROKEN_EXIT)


def parse_anchors(values: list[str]) -> dict[int, str]:
    """Read ENTRY:HASH pairs, refusing anything else with the expected form."""
    anchors = {}
    for value in values:
        seq, _, digest = value.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise CasebookError(f"--anchor {value!r} is not ENTRY:HASH (an entry number, a colon, "
                                "and the 64-character hash that verify printed).")
        anchors[int(seq)] = digest.lower()
    return anchors


@audit_app.command("show")
@refusals_exit
def audit_show(
    user: str = typer.Option(None, "--user", help="Only what this user did."),
    subject: str = typer.Option(None, "--subject", help="Only entries about this subject reference."),
    since: datetime = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="From this UK date."),
    until: datetime = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="To this UK date, inclusive."),
    limit: int = typer.Option(AuditFilter.limit, help="At most this many entries."),
    acting: str = ACTING,
) -> None:
    """Show audit entries (who, when, what, why) filtered by user, subject and period."""
    start, end = uk_period(since, until)
    where = AuditFilter(actor=user, subject_ref=subject, since=start, until=end, limit=limit)
    with transaction() as session:
        entries = access.read_audit_log(session, acting, where)
    table = make_table("#", "when (UK)", "who", "role", "did", "what", "subject", "why")
    for e in entries:
        table.add_row(*map(safe, (e.seq, format_uk(audit.parse_instant(e.occurred_at)), e.actor, e.role, e.operation,
                      f"{e.object_type} {e.object_id or ''}".strip(), e.subject_ref or "", e.purpose or "")))
    console().print(table if entries else "No entries match.")


# ---- review ------------------------------------------------------------------------------


@review_app.command("list")
@refusals_exit
def review_list(
    status: str = typer.Option(review.PENDING, help=f"{', '.join(review.STATUSES)} or {EVERY_STATUS}."),
    domain: str = typer.Option(None, help="Only this domain."),
    acting: str = ACTING,
) -> None:
    """List review items in your domains (summaries only, no personal data)."""
    if status not in (*review.STATUSES, EVERY_STATUS):
        raise InvalidInput(f"Unknown status {status!r}; use one of {', '.join(review.STATUSES)} or {EVERY_STATUS}.")
    with transaction(readonly=True) as session:
        items = review.list_items(session, acting, status=None if status == EVERY_STATUS else status,
                                  domain=domain)
    table = make_table("id", "domain", "kind", "summary", "status", "proposed by", "proposed (UK)", "decided by")
    for i in items:
        table.add_row(str(i.id), i.domain, i.kind, i.summary, i.status, i.proposed_by,
                      format_uk(i.created_at), i.decided_by or "")
    console().print(table if items else "Nothing to review.")


@review_app.command("show")
@refusals_exit
def review_show(
    item_id: int = ITEM_ID,
    purpose: str = typer.Option(None, "--purpose", help="Why you need to see it (logged)."),
    acting: str = ACTING,
) -> None:
    """Show one item with its details. Needs a purpose; the consultation is logged."""
    with transaction() as session:
        item = review.show_item(session, acting, item_id, purpose=purpose)
    console().print(f"Review item {item.id} ({item.domain} / {item.kind}), {item.status}")
    console().print(f"Proposed by {item.proposed_by} at {format_uk(item.created_at)}: {safe(item.summary)}")
    if item.subject_ref:
        console().print(f"Subject reference: {item.subject_ref}")
    if item.case_id:
        console().print(f"Case: {item.case_id}")
    console().print(dict(item.payload) if item.payload is not None else "(no details kept)")
    if item.decided_by:
        console().print(f"Decided by {item.decided_by} at {format_uk(item.decided_at)}: {safe(item.reason)}")


def _decide(item_id: int, accept: bool, reason: str, acting: str) -> None:
    with transaction() as session:
        review.decide(session, acting, item_id, accept=accept, reason=reason)
    console().print(f"Review item {item_id} {'accepted' if accept else 'rejected'}.")


@review_app.command("accept")
@refusals_exit
def review_accept(
    item_id: int = ITEM_ID,
    reason: str = typer.Option(None, "--reason", help="Why (kept with the decision)."),
    acting: str = ACTING,
) -> None:
    """Accept a pending proposal, with your reason."""
    _decide(item_id, True, reason, acting)


@review_app.command("reject")
@refusals_exit
def review_reject(
    item_id: int = ITEM_ID,
    reason: str = typer.Option(None, "--reason", help="Why (kept with the decision)."),
    acting: str = ACTING,
) -> None:
    """Reject a pending proposal, with your reason (a human overriding the algorithm)."""
    _decide(item_id, False, reason, acting)


@review_app.command("stats")
@refusals_exit
def review_stats(
    since: datetime = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="Proposed from this UK date."),
    until: datetime = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Proposed to this UK date, inclusive."),
    acting: str = ACTING,
) -> None:
    """Count proposals, acceptances, rejections and time to decision (for AI oversight)."""
    start, end = uk_period(since, until)
    with transaction(readonly=True) as session:
        counts = review.count_decisions(session, acting, since=start, until=end)
    table = make_table("domain", "kind", "proposer", "proposed", "accepted", "rejected", "pending",
                  "median hours to decision")
    for c in counts:
        hours = "" if c.median_hours_to_decision is None else f"{c.median_hours_to_decision:.1f}"
        table.add_row(c.domain, c.kind, c.proposer, str(c.proposed), str(c.accepted), str(c.rejected),
                      str(c.pending), hours)
    console().print(table if counts else "No proposals in that period.")


# ---- retention ---------------------------------------------------------------------------


@retention_app.callback()
@refusals_exit
def retention_due(ctx: typer.Context, acting: str = ACTING_NAME) -> None:
    """List cases due for review (still open) or deletion (closed) in your domains."""
    if ctx.invoked_subcommand is not None:
        return
    acting = signed_in_user(ctx, acting)
    with transaction(readonly=True) as session:
        due = retention.list_due(session, acting)
    table = make_table("case", "domain", "kind", "status", "review date", "due for")
    for d in due:
        table.add_row(str(d.case_id), d.domain, d.kind, d.status, d.review_date.isoformat(), d.due_for)
    console().print(table if due else "Nothing is due for review or deletion.")


@retention_app.command("keep")
@refusals_exit
def retention_keep(
    case_id: int = CASE_ID,
    until: datetime = typer.Option(..., "--until", formats=["%Y-%m-%d"], help="The next review date."),
    reason: str = typer.Option(None, "--reason", help="Why the record is still needed (logged)."),
    acting: str = ACTING,
) -> None:
    """Keep a case until a later review date, with the reason."""
    with transaction() as session:
        retention.keep(session, acting, case_id, until=until.date(), reason=reason)
    console().print(f"Case {case_id} kept until {until.date()}.")


@retention_app.command("erase")
@refusals_exit
def retention_erase(
    case_id: int = CASE_ID,
    reason: str = typer.Option(None, "--reason", help="Why it is erased (logged; not the content)."),
    acting: str = ACTING,
) -> None:
    """Erase a case that is due, with its decisions. The log records the erasure, not the content."""
    with transaction() as session:
        retention.erase(session, acting, case_id, reason=reason)
    console().print(f"Case {case_id} erased.")
