"""The rules a deployment must meet: planned in UK local time, authorised by an officer of the
required rank, announced at least 7 days ahead on the UK clock unless an urgent exception is
recorded with its reason and approver. The categories and limits are data (``rules.yaml``);
each check raises ``PlanError`` saying which record, what is wrong and what to give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import yaml

UK = ZoneInfo("Europe/London")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


class PlanError(ValueError):
    """A deployment, alert or survey that breaks a rule: the message names the record; ``field``
    names the input at fault, when it is one (a form shows the message beside it)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@cache
def get_rules() -> dict:
    """The rules and categories declared in ``rules.yaml``."""
    return yaml.safe_load((resources.files("peel.lfr") / "rules.yaml").read_text(encoding="utf-8"))


def to_uk_instant(local: datetime, what: str) -> datetime:
    """A wall-clock time in the UK as an instant (UTC). A time the clocks skip (01:00-01:59 on
    the last Sunday of March) or show twice (01:00-01:59 on the last Sunday of October) is
    refused: the public notice must name one moment."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    first, second = local.replace(tzinfo=UK, fold=0), local.replace(tzinfo=UK, fold=1)
    if first.utcoffset() != second.utcoffset():
        instant = first.astimezone(UTC)
        if instant.astimezone(UK).replace(tzinfo=None) != local:
            raise PlanError(f"{what} {local:%d %B %Y %H:%M} does not exist in the UK: the clocks go "
                            "forward from 01:00 to 02:00 that night. Give a time from 02:00.")
        raise PlanError(f"{what} {local:%d %B %Y %H:%M} happens twice in the UK: the clocks go back "
                        "from 02:00 to 01:00 that night. Give a time from 02:00, or before 01:00.")
    return first.astimezone(UTC)


def parse_uk_time(text: str, record: str) -> datetime:
    """A time as a vendor or a user writes it: with an offset (an instant), or without (UK local)."""
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise PlanError(f"{record}: time {text!r} is not a date and time: expected e.g. 2026-03-04 13:45 (UK time).")
    return to_uk_instant(parsed, f"{record}: time")


def as_uk(instant: datetime) -> datetime:
    """An instant on the UK clock."""
    return instant.astimezone(UK)


@dataclass(frozen=True)
class Plan:
    """A deployment as planned: what the authorising officer signs off and the public sees."""

    location: str
    location_reason: str
    starts_at: datetime  # UTC instants (to_uk_instant)
    ends_at: datetime
    purpose: str
    authorising_officer: str
    authorising_rank: str
    watchlist_size: int
    watchlist_categories: list[str] = field(default_factory=list)
    threshold: float = 0.6
    uniformed_officers: int = 0
    plain_clothes_officers: int = 0
    district_code: str | None = None


def find_plan_problems(plan: Plan) -> list[tuple[str, str]]:
    """What is wrong with a plan, as (the field at fault, what to give); empty when nothing is."""
    rules = get_rules()
    problems = []
    if plan.ends_at <= plan.starts_at:
        problems.append(("ends_at", (f"it ends ({as_uk(plan.ends_at):%d %B %Y %H:%M}) before it starts "
                                    f"({as_uk(plan.starts_at):%d %B %Y %H:%M}): give an end after the start")))
    for name in ("location", "purpose", "authorising_officer"):
        if not str(getattr(plan, name) or "").strip():
            problems.append((name, f"{name.replace('_', ' ')} is required"))
    if plan.location_reason not in rules["location_reasons"]:
        problems.append(("location_reason", (f"location reason {plan.location_reason!r} is not one of "
                                            f"{', '.join(rules['location_reasons'])}")))
    if plan.authorising_rank not in rules["ranks"]:
        problems.append(("authorising_rank", (f"rank {plan.authorising_rank!r} is unknown: expected one of "
                                             f"{', '.join(rules['ranks'])}")))
    elif rules["ranks"].index(plan.authorising_rank) < rules["ranks"].index(rules["authorising_rank"]):
        problems.append(("authorising_rank", (f"the authorising officer must be a {rules['authorising_rank']} "
                                             f"or above, not a {plan.authorising_rank}")))
    if plan.watchlist_size < 1:
        problems.append(("watchlist_size", "the watchlist must hold at least one entry"))
    unknown = [c for c in plan.watchlist_categories if c not in rules["watchlist_categories"]]
    if unknown or not plan.watchlist_categories:
        problems.append(("watchlist_categories", (f"watchlist categories {unknown or 'none'} : expected some of "
                                                 f"{', '.join(rules['watchlist_categories'])}")))
    if not 0 < plan.threshold < 1:
        problems.append(("threshold", f"threshold {plan.threshold} must be between 0 and 1 (the matcher's setting)"))
    for name in ("uniformed_officers", "plain_clothes_officers"):
        if getattr(plan, name) < 0:
            problems.append((name, "officer numbers cannot be negative"))
    return problems


def check_plan(plan: Plan, record: str) -> None:
    """Refuse a plan that breaks a rule, naming ``record`` (a file and line, or the case)."""
    problems = find_plan_problems(plan)
    if problems:
        raise PlanError(f"{record}: " + "; ".join(text for _, text in problems) + ".", problems[0][0])


def get_notice_deadline(starts_at: datetime) -> datetime:
    """The latest moment a deployment may be confirmed without an urgent exception: the same
    time on the UK clock ``notice_days`` calendar days before it starts (so across a clock
    change the interval is a day of 23 or 25 hours)."""
    local = as_uk(starts_at).replace(tzinfo=None) - timedelta(days=get_rules()["notice_days"])
    # A deadline that falls in a skipped hour or a repeated one takes the earlier instant.
    return local.replace(tzinfo=UK, fold=0).astimezone(UTC)


def check_confirmation(record: str, starts_at: datetime, confirmed_at: datetime,
                       urgent_reason: str | None = None, urgent_approver: str | None = None) -> bool:
    """Whether the confirmation is urgent (under the notice period, with its exception
    recorded); refuses one that is late without a reason and an approver, or after the start."""
    if confirmed_at >= starts_at:
        raise PlanError(f"{record}: it started at {as_uk(starts_at):%d %B %Y %H:%M}; a deployment cannot "
                        "be announced after it has started.")
    if confirmed_at <= get_notice_deadline(starts_at):
        return False
    missing = [name for name, value in (("urgent_reason", urgent_reason), ("urgent_approver", urgent_approver))
               if not (value or "").strip()]
    if missing:
        raise PlanError(
            f"{record}: it starts at {as_uk(starts_at):%d %B %Y %H:%M}, less than {get_rules()['notice_days']} days "
            f"away (the notice deadline was {as_uk(get_notice_deadline(starts_at)):%d %B %Y %H:%M}). Record an "
            "urgent exception with its reason and the approver (name and rank), or move the start.", missing[0])
    return True


def check_choice(record: str, what: str, value: str | None, choices: list[str], field: str | None = None) -> str:
    """``value`` if it is one of ``choices``, else a refusal naming the record (and ``field``)."""
    if value not in choices:
        raise PlanError(f"{record}: {what} {value!r} is not one of {', '.join(choices)}.", field)
    return value


def now_utc() -> datetime:
    return datetime.now(UTC)
