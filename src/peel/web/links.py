"""What a domain gives the web app, and the links each role's start page shows.

A domain's ``web.py`` has a FastAPI ``router`` (its pages, over the same functions as its
CLI) and ``links(actor)``: the start-page links for that user, only to pages their role may
open. ``peel.web.domains`` lists them. A part not built yet is a ``Placeholder``: its link
goes, for the roles it is meant for, to a page that says it is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from peel.casebook import Action, Actor

if TYPE_CHECKING:
    from fastapi import APIRouter


@dataclass(frozen=True)
class Link:
    """One entry of a start page: a page's title, where it is, and what it is for."""

    title: str
    href: str
    description: str


class DomainPages(Protocol):
    """A domain's ``web.py`` module: its router and its start-page links (and, if it has
    something for a role's start page itself, ``start_panel(request, actor)``: see start.py)."""

    router: APIRouter

    def links(self, actor: Actor) -> list[Link]: ...


PLANNED_PREFIX = "/planned/"


@dataclass(frozen=True)
class Placeholder:
    """A part of the web app not built yet: what it will be for, and who for."""

    title: str
    description: str
    needs: Action  # the grant a role needs to see it
    within: str | None = None  # the casebook domain that grant must cover; None: any

    @property
    def slug(self) -> str:
        return "-".join("".join(c for c in word if c.isalnum()) for word in self.title.lower().split())

    @property
    def href(self) -> str:
        return f"{PLANNED_PREFIX}{self.slug}"

    def allows(self, actor: Actor) -> bool:
        return actor.role.allows(self.needs, self.within)

    def links(self, actor: Actor) -> list[Link]:
        return [Link(self.title, self.href, self.description)] if self.allows(actor) else []
