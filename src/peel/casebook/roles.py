"""Roles and what each may do, declared once in ``roles.yaml``.

An action is granted per domain (the workflow a case belongs to: firearms, dvds, ...).
``allows(role, action, domain)`` is the single question everything else asks; ``access``
is the one place that asks it for a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from peel.casebook.errors import InvalidInput

ROLES_FILE = Path(__file__).with_name("roles.yaml")
EVERY_DOMAIN = "*"


class Action(StrEnum):
    READ_AGGREGATES = "read_aggregates"
    READ_PERSONAL = "read_personal"
    OPEN_CASE = "open_case"
    UPDATE_CASE = "update_case"
    DECIDE_CASE = "decide_case"
    DISCLOSE = "disclose"
    COLLECT = "collect"  # load person records (an ingest of personal data)
    COMBINE = "combine"
    PROPOSE = "propose"
    DECIDE_REVIEW = "decide_review"
    REVIEW_RETENTION = "review_retention"
    ERASE = "erase"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    RECORD_MEETING_ACTIONS = "record_meeting_actions"  # the PCC's office: what the meeting agreed
    UPDATE_MEETING_ACTIONS = "update_meeting_actions"  # the force: progress, with evidence


class Domain(StrEnum):
    FIREARMS = "firearms"
    DVDS = "dvds"
    LFR = "lfr"
    INTELLIGENCE = "intelligence"
    LINKAGE = "linkage"
    PACK = "pack"
    CRIME = "crime"  # crime records behind the figures (the daily dashboard's lists)
    WORKFORCE = "workforce"  # people, training, sickness and wellbeing records (agenda item 3)
    CONTROL_ROOM = "control_room"  # calls, incidents and staffing proposals
    OVERSIGHT = "oversight"  # the AI-oversight board's register and decisions


ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    job: str
    grants: dict[Action, frozenset[str]]  # action -> domains, or {"*"}

    def allows(self, action: Action, domain: str | None = None) -> bool:
        """Say whether this role may do ``action`` in ``domain`` (None: anywhere it is granted)."""
        domains = self.grants.get(action, frozenset())
        if EVERY_DOMAIN in domains:
            return True
        return bool(domains) if domain is None else domain in domains


@cache
def load_roles(path: Path = ROLES_FILE) -> dict[str, Role]:
    """Read the roles file, refusing unknown actions or domains."""
    raw = yaml.safe_load(path.read_text())
    roles = {}
    for name, spec in raw.items():
        grants = {}
        for action, domains in spec.get("may", {}).items():
            if action not in Action.__members__.values():
                raise ValueError(f"{path}: role {name} grants unknown action {action!r}")
            domains = [EVERY_DOMAIN] if domains == EVERY_DOMAIN else list(domains)
            unknown = [d for d in domains if d != EVERY_DOMAIN and d not in Domain.__members__.values()]
            if unknown:
                raise ValueError(f"{path}: role {name} names unknown domains {unknown}")
            grants[Action(action)] = frozenset(domains)
        roles[name] = Role(name=name, title=spec["title"], job=spec["job"], grants=grants)
    return roles


def check_domain(domain: str) -> str:
    """Return ``domain`` if it is one of the casebook's domains; refuse it otherwise."""
    if domain not in Domain.__members__.values():
        raise InvalidInput(f"Unknown domain {domain!r}; the domains are: {', '.join(Domain)}.")
    return domain


def get_role(name: str) -> Role:
    """Return the role called ``name``; refuse it, listing the roles, otherwise."""
    roles = load_roles()
    if name not in roles:
        raise InvalidInput(
            f"Unknown role {name!r}. The roles are: {', '.join(roles)}. Use one of them, or declare "
            f"the role in {ROLES_FILE} (`peel users roles` shows what each may do)."
        )
    return roles[name]
