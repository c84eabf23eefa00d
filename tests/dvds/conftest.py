"""Clare's Law fixtures: the casebook's (each test on SQLite and PostgreSQL, one user per role)."""

from __future__ import annotations

import pytest
from tests.casebook.conftest import casebook_url, staff  # noqa: F401 (fixtures used by name)
from tests.web.conftest import client, get_username, staff_casebook, web_settings  # noqa: F401

from peel.casebook import db, review
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND
from peel.warehouse import connect

OFFICER = "public.protection.officer"
KNOWN = {"demo_custody:A1", "demo_custody:A2", "entity:7"}


def known_person(ref: str) -> bool:
    return ref in KNOWN


def queue_candidates(url: str, raised: int, declined: int) -> list[int]:
    """``raised`` Right to Know candidates in the queue, the first ``declined`` of them declined
    by a public-protection officer (of the web tests' staff casebook); their ids."""
    with db.transaction(url) as s:
        items = [review.propose(s, domain="dvds", kind=CANDIDATE_KIND, summary="a candidate",
                                payload={"key": str(n), "evidence_ids": []}, by_algorithm=ALGORITHM)
                 for n in range(raised)]
    with db.transaction(url) as s:
        for item in items[:declined]:
            review.decide(s, get_username("public_protection_officer"), item, accept=False,
                          reason="the new partner is a relative, not a partner")
    return items


@pytest.fixture(scope="session")
def small_demo_home(linked_small_demo):
    """A PEEL_HOME holding the small demo force: the session's linked one, which the other
    domains' tests share, so the suite builds it once. Read only: tests that change the
    warehouse copy its file."""
    return linked_small_demo


@pytest.fixture(scope="session")
def warehouse(small_demo_home):
    """The small demo force's warehouse, read only, for the figures and the pack section."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(small_demo_home))
        con = connect(read_only=True)
    yield con
    con.close()
