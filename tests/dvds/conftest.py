"""Clare's Law fixtures: the casebook's (each test on SQLite and PostgreSQL, one user per role)."""

from __future__ import annotations

from tests.casebook.conftest import casebook_url, staff  # noqa: F401 (fixtures used by name)

OFFICER = "public.protection.officer"
KNOWN = {"demo_custody:A1", "demo_custody:A2", "entity:7"}


def known_person(ref: str) -> bool:
    return ref in KNOWN
