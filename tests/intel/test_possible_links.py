"""Records linkage scored against the subject's but did not link: shown in the pack apart from
the facts, with their probability and the scored pair cited, and saying truly whether they scored
below the match threshold or were kept apart above it (a record holding nothing but a name); a
reviewer's later "different people" makes the statement fail verification."""

from __future__ import annotations

from peel.intel.assemble import POSSIBLE_LINK_PROBABILITY, assemble
from peel.intel.render import render_pack_html
from peel.intel.statements import verify_statements
from peel.intel.subject import resolve_subject
from peel.linkage.model import MATCH_THRESHOLD
from peel.warehouse import connect


def _entity_with_an_unlinked_pair(con, low: float, high: float) -> tuple[int, float]:
    """The entity of the latest run with the highest-scoring pair in [low, high) between one of
    its records and another entity's, and that pair's probability."""
    return con.execute(
        """SELECT e.entity_id, p.match_probability FROM linkage_pair p
           JOIN linkage_entity e ON e.run_id = p.run_id AND e.record_key = p.record_key_l
           JOIN linkage_entity f ON f.run_id = p.run_id AND f.record_key = p.record_key_r
           WHERE p.run_id = (SELECT max(run_id) FROM linkage_run) AND e.entity_id <> f.entity_id
             AND p.match_probability >= ? AND p.match_probability < ?
           ORDER BY p.match_probability DESC, 1 LIMIT 1""",
        [low, high]).fetchone()


def _says_its_side_of_the_threshold(statement) -> bool:
    below = statement["probability"] < MATCH_THRESHOLD
    return below == statement["claim"].endswith("below the match threshold") and (
        below or "above the match threshold, but linkage kept the records apart" in statement["claim"])


def test_a_record_holding_only_a_name_scored_above_the_threshold_but_not_linked_is_shown_apart(warehouse):
    """Linkage keeps a record with nothing but a name out of scored links (several people may
    have the name), so a pair can score above the threshold and stay unlinked: the pack shows
    it apart as a possible link, saying so, never as the subject's."""
    con = connect(warehouse)
    try:
        entity, probability = _entity_with_an_unlinked_pair(con, MATCH_THRESHOLD, 1.01)
        subject = resolve_subject(con, f"entity:{entity}")
        statements = [s.to_dict() for s in assemble(con, subject)]
        members = {k for (k,) in con.execute("SELECT record_key FROM linkage_entity WHERE run_id = ? AND "
                                             "entity_id = ?", [subject.run_id, entity]).fetchall()}
        possible = [s for s in statements if s["section"] == "possible"]
        assert possible[0]["probability"] == round(probability, 6) >= MATCH_THRESHOLD
        name_only = con.execute(
            """SELECT count(*) FROM person_record WHERE record_key IN (?, ?) AND date_of_birth IS NULL
               AND postcode IS NULL AND address_raw IS NULL AND house_number IS NULL AND phone IS NULL
               AND email IS NULL AND pnc_id IS NULL""",
            [possible[0]["refs"][0][1], possible[0]["refs"][1][1]]).fetchone()[0]
        assert name_only == 1
        assert all(_says_its_side_of_the_threshold(s) for s in possible)
        others = {s["refs"][1][1] for s in possible}
        assert not others & members
        facts = [s for s in statements if s["section"] not in ("possible", "probabilistic", "associates")]
        assert not {k for s in facts for t, k in s["refs"] if t == "person_record"} & others
        assert verify_statements(con, statements).passed
    finally:
        con.close()


def test_assemble_shows_a_near_miss_apart_with_its_probability_and_never_as_the_subject_s(warehouse):
    con = connect(warehouse)
    try:
        entity, probability = _entity_with_an_unlinked_pair(con, POSSIBLE_LINK_PROBABILITY, MATCH_THRESHOLD)
        subject = resolve_subject(con, f"entity:{entity}")
        statements = [s.to_dict() for s in assemble(con, subject)]
        members = {k for (k,) in con.execute("SELECT record_key FROM linkage_entity WHERE run_id = ? AND "
                                             "entity_id = ?", [subject.run_id, entity]).fetchall()}
        possible = [s for s in statements if s["section"] == "possible"]
        assert possible and all(s["kind"] == "possible_record" for s in possible)
        assert all(s["probability"] >= POSSIBLE_LINK_PROBABILITY for s in possible)
        assert round(probability, 6) in {s["probability"] for s in possible}  # the near miss itself
        assert all(_says_its_side_of_the_threshold(s) for s in possible)
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
