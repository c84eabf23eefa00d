"""The licensing rules, in one place: the stages an application goes through, a
certificate's validity, the statutory extension (s28B Firearms Act 1968), temporary permits
(s7), the cover a holder has on a given day and the warning before it lapses, and the
decisions a licensing officer may make with the section they are made under.

Dates here are calendar days (``datetime.date``), never clock times: a certificate is in
force up to and including its expiry day, whatever the clocks do that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

# The stages of an application, in the order they must happen.
STAGES = ("received", "checks", "medical", "home_visit", "decision")
STAGE_NAMES = {"received": "Received", "checks": "Checks", "medical": "Medical information",
               "home_visit": "Home visit", "decision": "Decision"}
APPLICATION_KINDS = ("grant", "renewal", "variation", "coterminous")
CERTIFICATE_KINDS = ("firearm", "shotgun")
# Where an action-plan policy stands against the plan, in order; 'assessed' is what the
# note's "22 policies assessed" counts (the measure policies_assessed).
POLICY_STATUSES = ("draft", "developed", "assessed")

VALIDITY = relativedelta(years=5)  # s15 / s26A: a certificate lasts five years
# s28B: a renewal applied for at least 8 weeks before expiry and not decided by then keeps
# the certificate in force until it is decided, for at most 8 weeks after expiry.
EXTENSION_NOTICE = timedelta(weeks=8)
EXTENSION_LIMIT = timedelta(weeks=8)
PERMIT_DEFAULT = timedelta(weeks=8)  # s7: the period a temporary permit is usually issued for
WARN_BEFORE = timedelta(days=28)  # a certificate ending with no cover after it is flagged this early

# What a licensing officer may decide on a certificate, and under which section.
DECISIONS = {
    "grant": "s27 (firearm) / s28 (shotgun): the applicant is fit to be entrusted",
    "refuse": "s27 / s28: the applicant is not fit to be entrusted, or has no good reason",
    "revoke_firearm": "s30A: the holder is unfitted to be entrusted with a firearm",
    "revoke_shotgun": "s30C: the holder is unfitted to be entrusted with a shotgun",
}
REVOCATION_SECTIONS = {"firearm": "s30A", "shotgun": "s30C"}

# Safeguarding: what makes a record about a holder, or someone at their address, concerning.
DOMESTIC_INCIDENT = "DOMESTIC INCIDENT"  # the incident type command and control records
CONCERNING_GRADINGS = ("A1", "B2", "B3", "C2", "C3")  # not E4: an untested source, unconfirmed
CONCERNING_ROLES = {"crime": ("suspect",), "incident": ("caller", "subject"), "intelligence": ("subject",)}
SAFEGUARDING_OUTCOMES = {
    "no_action": "No action: the record does not bear on fitness",
    "review": "Review the certificate: ask for information, visit",
    "suspend": "Suspend: seize the firearms pending review",
    "revoke": "Revoke the certificate (s30A / s30C)",
}


def expiry_for(issued: date) -> date:
    """A certificate's expiry day: five years from issue (29 February gives 28 February)."""
    return issued + VALIDITY


def made_in_time(received: date, expiry: date) -> bool:
    """Whether a renewal was applied for early enough to be extended (s28B): at least 8
    weeks before expiry, so exactly 8 weeks counts."""
    return received <= expiry - EXTENSION_NOTICE


def extension_end(received: date, expiry: date, decided: date | None) -> date | None:
    """The last day an s28B extension keeps the certificate in force, or None if none applies:
    only for a renewal made in time and not decided by expiry; it ends the day before the
    decision, or 8 weeks after expiry, whichever is first."""
    if not made_in_time(received, expiry):
        return None
    if decided is not None and decided <= expiry:
        return None
    limit = expiry + EXTENSION_LIMIT
    return limit if decided is None else min(limit, decided - timedelta(days=1))


def permit_expiry(issued: date, period: timedelta = PERMIT_DEFAULT) -> date:
    """The last day a temporary permit (s7) issued on ``issued`` for ``period`` covers."""
    if period <= timedelta(0):
        raise ValueError(f"A permit's period must be positive, not {period}.")
    return issued + period - timedelta(days=1)


@dataclass(frozen=True)
class Cover:
    """What keeps a holder's possession lawful on a day, and until when."""

    on: date
    kind: str  # 'certificate', 's28B extension', 's7 permit' or 'none'
    until: date | None  # the last day of the cover in force; None when there is none
    warn: bool  # the cover ends within WARN_BEFORE with nothing after it

    @property
    def lapsed(self) -> bool:
        return self.kind == "none"


def cover_on(day: date, expiry: date, received: date | None = None, decided: date | None = None,
             permit: tuple[date, date] | None = None) -> Cover:
    """The cover on ``day`` of a certificate expiring on ``expiry``, with its renewal
    (received, decided) and an s7 permit (issued, last day) if any. Each kind of cover runs
    on from the one before; the latest end among those in force on ``day`` counts."""
    spans = [("certificate", None, expiry)]
    if received is not None:
        end = extension_end(received, expiry, decided)
        if end is not None:
            spans.append(("s28B extension", expiry + timedelta(days=1), end))
    if permit is not None:
        spans.append(("s7 permit", permit[0], permit[1]))
    in_force = [(k, end) for k, start, end in spans if (start is None or start <= day) and day <= end]
    if not in_force:
        return Cover(day, "none", None, warn=False)
    # Cover joined end to end counts as one: follow it to its last day.
    kind, until = max(in_force, key=lambda s: s[1])
    for k, start, end in sorted(spans, key=lambda s: s[2]):
        if start is not None and start <= until + timedelta(days=1) and end > until:
            kind, until = k, end
    warn = decided is None and until - day < WARN_BEFORE
    return Cover(day, kind, until, warn)


def check_stage_order(done: list[tuple[str, date]], stage: str, on: date) -> None:
    """Refuse a stage out of order: each stage comes after every earlier one, on or after
    its date, and once only. ``done`` is the stages recorded so far, with their dates."""
    if stage not in STAGES:
        raise ValueError(f"Unknown stage {stage!r}: expected one of {', '.join(STAGES)}.")
    position = STAGES.index(stage)
    recorded = dict(done)
    if stage in recorded:
        raise ValueError(f"The {STAGE_NAMES[stage]} stage was already recorded on {recorded[stage]}.")
    missing = [s for s in STAGES[:position] if s not in recorded]
    if missing:
        raise ValueError(f"{STAGE_NAMES[stage]} cannot come before {STAGE_NAMES[missing[0]]}: "
                         f"record the stages in order ({' -> '.join(STAGES)}).")
    later = [s for s in STAGES[position + 1:] if s in recorded]
    if later:
        raise ValueError(f"{STAGE_NAMES[later[0]]} is already recorded; {STAGE_NAMES[stage]} cannot follow it.")
    last = max(recorded.values(), default=None)
    if last is not None and on < last:
        raise ValueError(f"{STAGE_NAMES[stage]} on {on} is before the previous stage ({last}).")
