"""The force's declared command levels for signing off an event risk assessment
(``command_levels.yaml``), and the rule that holds every decision on one to them.

The rule is registered with the review queue (``peel.casebook.review.register_decision_check``)
when this package is imported, so it holds wherever the decision is made: `peel intel sign-off`,
the generic `peel review accept`/`reject`, the web review queue or the event pages.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from sqlalchemy.orm import Session

from peel.casebook import Domain, access, review
from peel.casebook.access import Actor, Request
from peel.casebook.errors import AccessRefused
from peel.casebook.models import ReviewItem
from peel.casebook.roles import Action

KIND = "event_assessment"
DOMAIN = Domain.INTELLIGENCE


@cache
def read_command_levels() -> dict:
    return yaml.safe_load((resources.files("peel.intel") / "command_levels.yaml").read_text("utf-8"))["levels"]


def check_command_level(session: Session, actor: Actor, item: ReviewItem, accept: bool) -> None:
    """Refuse (and log) a decision on an assessment by a role its risk level does not list:
    signing off and turning down a high-risk event both belong to the command level."""
    level = read_command_levels()[item.payload["risk"]]
    if actor.role.name not in level["roles"]:
        request = Request(Action.DECIDE_REVIEW, KIND, item.id, DOMAIN)
        raise access.refuse(session, request, AccessRefused(
            f"A {item.payload['risk']}-risk event is signed off at {level['sign_off']}: "
            f"{actor.username} ({actor.role.title}) may not."), actor.username, actor.role.name)


review.register_decision_check(DOMAIN, KIND, check_command_level)
