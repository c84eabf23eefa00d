"""Records linkage scored against the subject's but left below the match threshold: shown in
the pack apart from the facts, with their probability and the scored pair cited; a reviewer's
later "different people" makes the statement fail verification."""

from __future__ import annotations

from peel.intel.assemble import POSSIBLE_LINK_PROBABILITY, assemble
from peel.intel.render import render_pack_html
from peel.intel.statements import verify_statements
from peel.intel.subject import resolve_subject
from peel.linkage.model import MATCH_THRESHOLD
from peel.warehouse import connect


def _entity_with_a_near_miss(con) -> int:
    return con.execute(
        """SELECT e.entity_id FROM linkage_pair p
           JOIN linkage_entity e ON e.run_id = p.run_id AND e.record_key = p.record_key_l
           JOIN linkage_entity f ON f.run_id = p.run_id AND f.record_key = p.record_key_r
           WHERE p.run_id = (SELECT max(run_id) FROM linkage_run) AND e.entity_id <> f.entity_id
             AND p.match_probability >= ? ORDER BY p.match_probability DESC, 1 LIMIT 1""",
        [POSSIBLE_LINK_PROBABILITY]).fetchone()[0]


def test_assemble_shows_a_near_miss_apart_with_its_probability_and_never_as_the_subject_s(warehouse):
    con = connect(warehouse)
    try:
        entity = _entity_with_a_near_miss(con)
        subject = resolve_subject(con, f"entity:{entity}")
        statements = [s.to_dict() for s in assemble(con, subject)]
        members = {k for (k,) in con.execute("SELECT record_key FROM linkage_entity WHERE run_id = ? AND "
                                             "entity_id = ?", [subject.run_id, entity]).fetchall()}
        possible = [s for s in statements if s["section"] == "possible"]
        assert possible and all(s["kind"] == "possible_record" for s in possible)
        assert all(POSSIBLE_LINK_PROBABILITY <= s["probability"] < MATCH_THRESHOLD for s in possible)
        others = {s["refs"][1][1] for s in possible}
        assert not others & members  # the near misses are not the subject's records
        # Facts about the subject cite only the subject's records. (An associate statement cites
        # the associate's own record, which may well be a near miss: a relative at one address.)
        facts = [s for s in statements if s["section"] not in ("possible", "probabilistic", "associates")]
        assert not {k for s in facts for t, k in s["refs"] if t == "person_record"} & others
        assert all(s["citations"][-1]["system"] == "peel linkage" for s in possible)
        assert verify_statements(con, statements).passed
        html = render_pack_html({"pack_id": "t", "marking": "OFFICIAL-SENSITIVE", "purpose": "", "author": "",
                                 "built_at": "", "warehouse": {"latest_batch": 0, "loaded_at": ""},
                                 "subject": {"kind": "person", "ref": subject.ref, "as_given": "",
                                             "linkage_run": subject.run_id}, "statements": statements}, "DRAFT")
        assert '<section class="possible">' in html and "below the match threshold" in html

        _, left, right = possible[0]["refs"][2][1].split("|")
        con.execute("UPDATE linkage_pair SET decision = 'non_match' WHERE record_key_l = ? AND record_key_r = ?",
                    [left, right])
        failed = {f.statement: f.reason for f in verify_statements(con, statements).failures}
        assert "different people" in failed[possible[0]["id"]]
    finally:
        con.close()
