"""Safeguarding from linked records: whenever linkage puts a certificate holder, or a person
at their address, in a domestic incident, a crime as suspect, or an intelligence report of a
reliable grading, a review item is raised for a licensing officer with the evidence and each
link's probability. A person decides (no action, review the certificate, suspend, revoke);
the algorithm only proposes.

Reads the newest linkage run (``peel link``, or ``peel demo-link`` for the demo force). What
counts as concerning is defined once, in ``peel.firearms.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from peel.casebook import access, db, review
from peel.casebook.access import PURPOSE, REASON, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import InvalidInput
from peel.casebook.roles import Action, Domain
from peel.firearms.rules import CONCERNING_GRADINGS, DOMESTIC_INCIDENT, SAFEGUARDING_OUTCOMES
from peel.linkage.frequency import frequency_sql
from peel.warehouse.sql import literal_tuple, quote_literal

ALGORITHM = "firearms-safeguarding"
KIND = "safeguarding"
DIRECT_MATCH = 0.9  # the least probability that a concerning record is the holder's own
SAME_FORENAME = 0.9  # the least Jaro-Winkler similarity of a forename to the register's, for "the same"

# The linkage run's own match threshold: a record at or above it is more likely one person's than not.
LINKED = "(SELECT match_threshold FROM linkage_run WHERE run_id = (SELECT r FROM run))"

SUMMARY = "A certificate holder, or someone at their address, is linked to a concerning record"

EVIDENCE_SQL = """
WITH run AS (SELECT max(run_id) AS r FROM linkage_run),
holder AS (
    SELECT f.holder_ref, f.record_key AS holder_record, e.entity_id, e.link_probability,
           pr.date_of_birth AS dob, pr.forename, pr.surname
    FROM firearms_holder f JOIN linkage_entity e ON e.record_key = f.record_key
    JOIN person_record pr ON pr.record_key = f.record_key
    WHERE e.run_id = (SELECT r FROM run)),
home AS (  -- the address on the register, not every address the holder's records give
    SELECT DISTINCT f.holder_ref, coalesce(k.resolved_key, l.to_key) AS address
    FROM firearms_holder f JOIN pole_link l ON l.from_key = f.record_key AND l.link_type = 'resides_at'
    LEFT JOIN linkage_object_key k ON k.run_id = (SELECT r FROM run) AND k.kind = 'address'
         AND k.source_key = l.to_key),
known AS (  -- the register's address and those the holder's own records (dates of birth agreeing) give
    SELECT holder_ref, address FROM home
    UNION
    SELECT h.holder_ref, coalesce(k.resolved_key, a.to_key) AS address
    FROM holder h JOIN linkage_entity e ON e.entity_id = h.entity_id AND e.run_id = (SELECT r FROM run)
    JOIN person_record c ON c.record_key = e.record_key
    JOIN pole_link a ON a.from_key = c.record_key AND a.link_type = 'resides_at'
    LEFT JOIN linkage_object_key k ON k.run_id = (SELECT r FROM run) AND k.kind = 'address'
         AND k.source_key = a.to_key
    WHERE {own_dob}),
ambiguous AS (  -- holders a name alone cannot pick out: someone else of their name is known
    SELECT h.holder_ref FROM holder h  -- in their entity: a date of birth not theirs
    JOIN linkage_entity e ON e.entity_id = h.entity_id AND e.run_id = (SELECT r FROM run)
    JOIN person_record c ON c.record_key = e.record_key
    WHERE c.date_of_birth IS NOT NULL AND NOT {own_dob}
    UNION
    SELECT h.holder_ref FROM holder h  -- anywhere: the same name with a date of birth not theirs
    JOIN person_record c ON c.forename = h.forename AND c.surname = h.surname
    WHERE c.date_of_birth IS NOT NULL AND NOT {own_dob}),
named AS (SELECT count(*) AS records FROM person_record WHERE forename IS NOT NULL AND surname IS NOT NULL),
forenames AS ({forename_frequency}),
surnames AS ({surname_frequency}),
people AS (
    SELECT holder_ref, entity_id, 'the holder' AS relation FROM holder
    UNION
    SELECT h.holder_ref, l.entity_id, 'a person at their address' AS relation FROM home h
    JOIN linkage_entity_link l ON l.to_key = h.address AND l.link_type = 'resides_at'
    WHERE l.run_id = (SELECT r FROM run)
      AND l.entity_id NOT IN (SELECT entity_id FROM holder x WHERE x.holder_ref = h.holder_ref)),
-- The concerning records of the people linked to each holder, worked out first: the rules
-- below then test a few thousand rows. Left to plan it all at once, DuckDB sometimes ordered
-- the joins so that the rules ran over every record of every entity (minutes, not a second,
-- on the same data written in another row order). Each alias keeps its row as a struct.
cand AS MATERIALIZED (
SELECT p, e, r, ev, h, pr, fq, sq
FROM people p
JOIN linkage_entity e ON e.entity_id = p.entity_id AND e.run_id = (SELECT r FROM run)
JOIN person_record r ON r.record_key = e.record_key
LEFT JOIN event ev ON ev.event_key = r.event_key
LEFT JOIN holder h ON h.holder_ref = p.holder_ref
LEFT JOIN linkage_pair pr ON pr.run_id = (SELECT r FROM run)
     AND pr.record_key_l = least(h.holder_record, r.record_key)
     AND pr.record_key_r = greatest(h.holder_record, r.record_key)
LEFT JOIN forenames fq ON fq.forename = r.forename
LEFT JOIN surnames sq ON sq.surname = r.surname
WHERE (r.role = 'suspect'
       OR (ev.event_type = 'incident' AND ev.category = {domestic})
       OR (ev.event_type = 'intelligence' AND ev.category IN {gradings}))
)
SELECT p.holder_ref,
       CASE WHEN {is_holder} THEN 'the holder' ELSE 'a person at their address' END AS relation,
       r.record_key, r.role, r.event_key, r.recorded_date,
       coalesce(ev.event_type, 'crime') AS event_type, ev.category,
       CASE WHEN p.relation = 'the holder' AND {name_only} THEN {name_probability}
            WHEN p.relation = 'the holder' THEN coalesce(pr.match_probability, e.link_probability)
            ELSE e.link_probability END
           AS link_probability,
       CASE WHEN p.relation = 'the holder' AND {name_only} THEN 'name only' ELSE 'linked' END AS basis,
       CASE WHEN r.role = 'suspect' THEN 'suspect in a crime'
            WHEN ev.event_type = 'incident' THEN 'domestic incident'
            ELSE 'intelligence report (' || ev.category || ')' END AS why
FROM cand
-- The holder's own records count when they agree with the register (an entity chained
-- through other records can join two people of one name); anyone's record counts when it
-- gives the holder's address itself.
WHERE ({is_holder}) OR {gives_home}
ORDER BY p.holder_ref, r.recorded_date, r.record_key
"""


# Whether a record's date of birth agrees with the register's: the same date, or one keying slip
# from it (Damerau-Levenshtein distance 1 on the written date: a digit changed or two swapped,
# the linkage model's "one typo" level), or day and month swapped; {r} is the record, {h} the
# holder. Years apart in two digits (1975 and 2003) are not a slip: a parent and a child of one
# name are two people.
DOB_AGREES = """({r}.date_of_birth IS NOT NULL AND (
           damerau_levenshtein(strftime({r}.date_of_birth, '%Y-%m-%d'), strftime({h}.dob, '%Y-%m-%d')) <= 1
           OR (month({r}.date_of_birth) = day({h}.dob) AND day({r}.date_of_birth) = month({h}.dob)
               AND year({r}.date_of_birth) = year({h}.dob))))"""
# Whether the record r gives the holder's forename (a slip allowed), or as its surname (the two
# written the wrong way round): the others of a household, or a namesake, that an entity chained
# through other records may hold differ in it.
GIVES_FORENAME = """(jaro_winkler_similarity(r.forename, h.forename) >= {same_name}
       OR jaro_winkler_similarity(r.surname, h.forename) >= {same_name})"""
# Whether the record r of the holder's entity is the holder's own: it gives more than a name and
# linkage matched it to the register's record directly; or it gives the holder's forename and
# either a date of birth that agrees with the register's, or, without a date of birth, an
# address the holder is known at (the register's, or one given by the holder's own records: a
# previous address), or nothing but a name that is rare enough (NAME_PROBABILITY, at the linkage
# run's match threshold) when no one else of the holder's name is known. A pair's score is not
# used for a record giving only a name: a rare name shared scores high by itself, and linkage
# keeps such records out of its scored links for that reason (it attaches them to the one
# entity with that name).
IS_HOLDER = """p.relation = 'the holder' AND (
       (pr.match_probability >= {direct} AND NOT {name_only})
       OR ({gives_forename} AND ({dob_agrees}
           OR (r.date_of_birth IS NULL AND ({gives_known}
               OR ({name_only} AND p.holder_ref NOT IN (SELECT holder_ref FROM ambiguous)
                   AND {name_probability} >= {linked}))))))"""
# Whether the record r gives nothing that identifies a person beyond a name.
NAME_ONLY = """(r.date_of_birth IS NULL AND r.phone IS NULL AND r.email IS NULL AND r.pnc_id IS NULL
       AND NOT {gives_any})"""
# The probability that a record giving only a name is the holder's rather than a namesake's:
# 1 / (1 + the number of records expected to carry that whole name by chance), that number
# being the records holding a name times the forename's share of them times the surname's (a
# whole name's frequency as linkage defines it, peel.linkage.frequency). It counts records,
# not people: someone recorded often is as often the one a name-only record is about.
NAME_PROBABILITY = "(1.0 / (1.0 + (SELECT records FROM named) * coalesce(fq.tf_forename, 0) * coalesce(sq.tf_surname, 0)))"
# Whether the record r gives any address at all.
GIVES_ANY = """EXISTS (SELECT 1 FROM pole_link a WHERE a.from_key = r.record_key AND a.link_type = 'resides_at')"""
# Whether the record r gives an address in {places} for the holder (as linkage resolves addresses).
GIVES = """EXISTS (
       SELECT 1 FROM pole_link a LEFT JOIN linkage_object_key k ON k.run_id = (SELECT r FROM run)
            AND k.kind = 'address' AND k.source_key = a.to_key
       JOIN {places} m ON m.holder_ref = p.holder_ref AND m.address = coalesce(k.resolved_key, a.to_key)
       WHERE a.from_key = r.record_key AND a.link_type = 'resides_at')"""


@dataclass(frozen=True)
class Raised:
    holders: int  # holders with evidence
    raised: int  # new review items
    already: int  # holders already raised with the same evidence


def find_evidence(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every concerning record linked to a holder, one row per record (personal data: call
    only from a function that has checked and logged its use)."""
    if con.execute("SELECT count(*) FROM linkage_run").fetchone()[0] == 0:
        raise InvalidInput("No linkage run yet: run 'peel link' (or 'peel demo-link' for the demo "
                           "force) before looking for safeguarding concerns.")
    name_only = NAME_ONLY.format(gives_any=GIVES_ANY)
    is_holder = IS_HOLDER.format(direct=DIRECT_MATCH, gives_forename=GIVES_FORENAME.format(same_name=SAME_FORENAME),
                                 dob_agrees=DOB_AGREES.format(r="r", h="h"),
                                 gives_known=GIVES.format(places="known"), name_only=name_only,
                                 name_probability=NAME_PROBABILITY, linked=LINKED)
    sql = EVIDENCE_SQL.format(domestic=quote_literal(DOMESTIC_INCIDENT), is_holder=is_holder,
                              own_dob=DOB_AGREES.format(r="c", h="h"), gives_home=GIVES.format(places="home"),
                              gradings=literal_tuple(CONCERNING_GRADINGS), name_only=name_only,
                              name_probability=NAME_PROBABILITY,
                              forename_frequency=frequency_sql("person_record", "forename"),
                              surname_frequency=frequency_sql("person_record", "surname"))
    return con.execute(sql).df()


def authorise_scan(username: str | None, purpose: str | None) -> Request:
    """Refuse (and log) a user who may not propose in the firearms domain, or states no purpose."""
    request = Request(Action.PROPOSE, "firearms_holder", domain=Domain.FIREARMS, purpose=purpose,
                      must_state=PURPOSE)
    with db.transaction() as session:
        access.authorise(session, username, request)
    return request


def raise_alerts(con: duckdb.DuckDBPyConnection, username: str | None, *, purpose: str | None) -> Raised:
    """Look for holders linked to concerning records and queue one review item per holder
    (skipping holders already raised with the same evidence). The user must be one who may
    propose in the firearms domain; the scan is logged with its purpose and the holders it found."""
    request = authorise_scan(username, purpose)
    evidence = find_evidence(con)
    new = already = 0
    with db.transaction() as session:
        review.lock_queue(session)
        known = {(p.payload["holder_ref"], tuple(p.payload["records"])) for p in
                 review.proposals_by(session, ALGORITHM, domain=Domain.FIREARMS, kind=KIND)}
        for holder_ref, rows in evidence.groupby("holder_ref", sort=True):
            records = tuple(sorted(rows.record_key))
            if (holder_ref, records) in known:
                already += 1
                continue
            review.propose(session, domain=Domain.FIREARMS, kind=KIND, summary=SUMMARY,
                           by_algorithm=ALGORITHM, subject_ref=holder_ref,
                           payload={"holder_ref": holder_ref, "records": list(records),
                                    "link_probability": _lowest(rows.link_probability),
                                    "evidence": _evidence(rows)})
            new += 1
        actor = access.authorise(session, username, request)
        access.record(session, actor, Operation.CONSULTATION, "firearms_holder", purpose=purpose,
                      detail={"domain": "firearms", "scan": ALGORITHM, "raised": new, "already": already,
                              "holders": sorted(set(evidence.holder_ref))})  # the records it read
    return Raised(holders=evidence.holder_ref.nunique(), raised=new, already=already)


def decide_alert(username: str, item_id: int, *, outcome: str, reason: str, casebook_url: str | None = None) -> None:
    """A licensing officer's decision on a safeguarding item: ``no_action`` rejects the
    proposal; ``review``, ``suspend`` or ``revoke`` accept it; the outcome and reason are kept."""
    with db.transaction(casebook_url) as session:  # the reason is checked (and a refusal logged) first
        access.authorise(session, username, Request(Action.DECIDE_REVIEW, "review_item", item_id,
                                                    Domain.FIREARMS, purpose=reason, must_state=REASON))
    if outcome not in SAFEGUARDING_OUTCOMES:
        raise InvalidInput(f"Unknown outcome {outcome!r}: expected one of {', '.join(SAFEGUARDING_OUTCOMES)}.")
    with db.transaction(casebook_url) as session:
        review.decide(session, username, item_id, accept=outcome != "no_action",
                      reason=f"{outcome}: {reason.strip()}")


def count_reviews() -> dict | None:
    """Safeguarding review items raised and decided: aggregates (no personal data), for the
    pack; None when the casebook cannot be read."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from peel.casebook.models import PENDING, ReviewItem

    try:
        with db.transaction(readonly=True) as session:
            rows = dict(session.execute(
                select(ReviewItem.status, func.count()).where(ReviewItem.domain == Domain.FIREARMS.value,
                                                             ReviewItem.kind == KIND).group_by(ReviewItem.status)).all())
    except SQLAlchemyError:
        return None
    return {"raised": sum(rows.values()), "decided": sum(n for s, n in rows.items() if s != PENDING)}


def _lowest(probabilities: pd.Series) -> float | None:
    known = probabilities.dropna()
    return round(float(known.min()), 4) if len(known) else None


def _evidence(rows: pd.DataFrame) -> list[dict]:
    return [{"record": r.record_key, "relation": r.relation, "why": r.why, "basis": r.basis, "event": r.event_key,
             "date": str(r.recorded_date)[:10] if pd.notna(r.recorded_date) else None,
             "link_probability": None if pd.isna(r.link_probability) else round(float(r.link_probability), 4)}
            for r in rows.itertuples()]
