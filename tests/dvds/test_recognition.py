"""Recognition on the small demo force, linked: recall against the planted truth, every miss
explained, controls the rules exclude never raised, and the queue's handling of declined candidates."""

from __future__ import annotations

import shutil

import pytest

from peel.casebook import db, review, users
from peel.casebook.errors import AccessRefused
from peel.dvds.evaluate import evaluate
from peel.dvds.queue import decide_candidate, raise_candidates
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND, scan
from peel.settings import get_settings
from peel.warehouse import connect

OFFICER = "pp.officer"
WHY = "weekly Right to Know recognition review"


@pytest.fixture(scope="module")
def linked_demo(linked_small_demo, tmp_path_factory):
    """The session's linked small demo force, copied: these tests add a casebook to it."""
    home = tmp_path_factory.mktemp("dvds-demo")
    shutil.copytree(linked_small_demo, home, symlinks=True, dirs_exist_ok=True)
    return home


def test_scan_meets_the_recall_and_precision_targets_and_explains_every_miss(linked_demo, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    con = connect(read_only=True)
    result = evaluate(con, scan(con), get_settings().demo_dir / "truth" / "dvds_situations.json")
    con.close()
    assert result.situations > 0 and result.recall >= 0.9 and result.precision >= 0.8, result
    assert len(result.misses) == result.situations - result.found
    assert {m["reason"] for m in result.misses} <= {"linkage miss", "rule gap", "data never reached"}
    # No abuse history, or a history as the victim: the rules cannot raise these.
    assert not {"no_history", "victim_history"} & set(result.controls_raised)


def test_raise_candidates_does_not_raise_a_declined_candidate_again(linked_demo, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    with db.transaction() as s:
        users.add_user(s, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        users.add_user(s, OFFICER, "public_protection_officer", acting="admin",
                       identity_provider="https://sso.test", external_subject="pp")
    first = raise_candidates(OFFICER, lambda: connect(read_only=True), purpose=WHY)
    assert first["raised"] == first["found"] > 0
    with db.transaction() as s:
        items = review.proposals_by(s, ALGORITHM, domain="dvds", kind=CANDIDATE_KIND)
        assert items[0].payload["why"] and items[0].payload["evidence"]
        decide_candidate(s, OFFICER, items[0].id, accept=False, reason="already known to the MARAC, no new partner",
                         known_person=lambda ref: True)
        case_id = decide_candidate(s, OFFICER, items[1].id, accept=True, reason="new partner confirmed by PPN",
                                   known_person=lambda ref: True)
    assert case_id is not None
    again = raise_candidates(OFFICER, lambda: connect(read_only=True), purpose=WHY)
    assert (again["raised"], again["declined_no_new_evidence"], again["already_raised"]) == (
        0, 1, first["found"] - 1)


def test_raise_candidates_is_refused_outside_public_protection(linked_demo, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    with db.transaction() as s:
        users.add_user(s, "lic", "licensing_officer", acting="admin", identity_provider="https://sso.test",
                       external_subject="lic")
    with pytest.raises(AccessRefused, match="may not read personal"):
        raise_candidates("lic", lambda: connect(read_only=True), purpose=WHY)
