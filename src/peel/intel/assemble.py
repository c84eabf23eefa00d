"""Assemble a pack's statements about a subject from the warehouse: a person (a linkage entity),
or an address, a vehicle or a phone and the persons recorded with it.

Every statement is made by ``peel.intel.statements.state`` from fetched rows, so the pack says
nothing its rows do not give. A person's records that record linkage joined with a match
probability below ``FACT_PROBABILITY`` are not treated as the subject's: they, and what they
are in, are stated apart as probabilistic links with their probability.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from peel.intel.claims import (
    EVENT_DESCRIPTIONS,
    IDENTIFIERS,
    MARKER_ROLES,
    MARKERS,
    address_key,
    marker_evidence,
    person_name,
)
from peel.intel.grading import may_show_text, may_support_inference
from peel.intel.mining import mine_text, record_values
from peel.intel.records import LINKAGE, PAIR, fetch, pair_key
from peel.intel.statements import Builder, Statement
from peel.intel.subject import Subject
from peel.linkage.model import REVIEW_LOW

# Records linked to the entity at or above this probability are the subject's (facts); below
# it, probabilistic links, shown apart with their probability.
FACT_PROBABILITY = 0.99
# Records linkage scored against one of the subject's but did not link (below the match
# threshold) are shown apart as possible links when they score at least this, the bottom of
# the band linkage offers for human review; the closest POSSIBLE_LINKS_SHOWN, closest first.
POSSIBLE_LINK_PROBABILITY = REVIEW_LOW
POSSIBLE_LINKS_SHOWN = 20


def assemble(con: duckdb.DuckDBPyConnection, subject: Subject) -> list[Statement]:
    """The statements of a pack on ``subject``."""
    if subject.kind == "person":
        return _person(con, subject.run_id, subject.entity_id)
    return _object(con, subject)


def _entity_records(con, run_id: int, entity_id: int) -> list[tuple[str, float | None]]:
    return con.execute("SELECT record_key, link_probability FROM linkage_entity WHERE run_id = ? "
                       "AND entity_id = ? ORDER BY record_key", [run_id, entity_id]).fetchall()


def _person(con, run_id: int, entity_id: int) -> list[Statement]:
    members = _entity_records(con, run_id, entity_id)
    facts = [k for k, p in members if p is None or p >= FACT_PROBABILITY]
    probable = {k: p for k, p in members if p is not None and p < FACT_PROBABILITY}
    rows = fetch(con, [("person_record", k) for k, _ in members]
                 + [(LINKAGE, f"{run_id}:{k}") for k in probable])
    people = [rows[("person_record", k)] for k in facts if ("person_record", k) in rows]
    event_keys = {r["event_key"] for k, _ in members if (r := rows.get(("person_record", k)))
                  and r.get("event_key")}
    rows |= fetch(con, [(t, k) for t in (*EVENT_DESCRIPTIONS, "intel_report") for k in event_keys])
    b = Builder(rows)
    _identity(b, people)
    _places(b, people)
    _timeline(b, people, "timeline")
    _mentions(b, people)
    _associates(con, b, run_id, entity_id, people, {k for k, _ in members})
    _markers(b, people)
    for key, p in sorted(probable.items(), key=lambda kp: -kp[1]):
        b.add("probabilistic", "probable_record", [("person_record", key), (LINKAGE, f"{run_id}:{key}")],
              probability=round(p, 6))
    _timeline(b, [rows[("person_record", k)] for k in probable], "probabilistic", probable)
    _possible(con, b, run_id, [k for k, _ in members])
    return b.statements


def _possible(con, b: Builder, run_id: int, members: list[str]) -> None:
    """Records scored against the subject's but left unlinked (and not ruled out by a reviewer)."""
    # Found by each side's key in turn (a lookup an index on the key answers), never a test of
    # every row of the pair table against the subject's list.
    pairs = con.execute(
        """SELECT record_key_l, record_key_r, list_contains($mine, record_key_l) AS left_is_mine, match_probability
           FROM (SELECT * FROM linkage_pair WHERE record_key_l IN (SELECT unnest($mine)) UNION ALL
                 SELECT * FROM linkage_pair WHERE record_key_r IN (SELECT unnest($mine)))
           WHERE run_id = $run AND match_probability >= $low AND coalesce(decision, '') <> 'non_match'
             AND list_contains($mine, record_key_l) <> list_contains($mine, record_key_r)
           ORDER BY match_probability DESC, record_key_l, record_key_r LIMIT $shown""",
        {"mine": members, "run": run_id, "low": POSSIBLE_LINK_PROBABILITY,
         "shown": POSSIBLE_LINKS_SHOWN}).fetchall()
    refs = [(PAIR, pair_key(run_id, left, right)) for left, right, _, _ in pairs]
    b.rows |= fetch(con, refs + [("person_record", k) for left, right, _, _ in pairs for k in (left, right)])
    for (left, right, left_is_mine, p), ref in zip(pairs, refs, strict=True):
        mine, other = (left, right) if left_is_mine else (right, left)
        b.add("possible", "possible_record", [("person_record", mine), ("person_record", other), ref],
              probability=round(p, 6))


def _refs(people) -> list:
    return [("person_record", r["record_key"]) for r in people]


def _group(people, value) -> dict:
    groups = defaultdict(list)
    for r in sorted(people, key=lambda r: (r.get("recorded_date") is None, r.get("recorded_date"), r["record_key"])):
        v = value(r)
        if v:
            groups[v].append(r)
    return groups


def _identity(b: Builder, people) -> None:
    for group in _group(people, person_name).values():
        b.add("identity", "name", _refs(group))
    for group in _group(people, lambda r: r.get("date_of_birth")).values():
        b.add("identity", "date_of_birth", _refs(group))
    for field in IDENTIFIERS:
        section = "phones" if field == "phone" else "identity"
        for group in _group(people, lambda r, f=field: r.get(f)).values():
            b.add(section, "identifier", _refs(group), {"field": field})


def _places(b: Builder, people) -> None:
    for group in _group(people, address_key).values():
        b.add("addresses", "address", _refs(group))
    marks = defaultdict(list)
    for r in people:
        for link, to in r.get("_links", []):
            if link == "drives":
                marks[to.removeprefix("vehicle:")].append(r)
    for mark, group in sorted(marks.items()):
        b.add("vehicles", "vehicle", _refs(group), {"vehicle": mark})


def _event_ref(rows, key: str) -> tuple[str, str] | None:
    return next(((t, key) for t in EVENT_DESCRIPTIONS if (t, key) in rows), None)


def _timeline(b: Builder, people, section: str, probable: dict | None = None) -> None:
    groups = _group(people, lambda r: (r["event_key"], r["role"]) if r.get("event_key") else None)
    dated = []
    for (key, _role), group in groups.items():
        ref = _event_ref(b.rows, key)
        if ref:
            dated.append((b.rows[ref].get("recorded_date") or b.rows[ref].get("arrest_date")
                          or b.rows[ref].get("event_date"), key, ref, group))
    for _day, key, ref, group in sorted(dated, key=lambda d: (d[0] is None, d[0], d[1])):
        probability = max(probable[r["record_key"]] for r in group) if probable else None
        if ("intel_report", key) in b.rows:
            b.add(section, "intelligence", [*_refs(group), ref, ("intel_report", key)], probability=probability)
        else:
            b.add(section, "event", [*_refs(group), ref], probability=probability)


def _mentions(b: Builder, people) -> None:
    """What the subject's intelligence reports mention, each linked to the subject's record that
    holds the same value, when one does."""
    keys = sorted({r["event_key"] for r in people if ("intel_report", r.get("event_key")) in b.rows})
    for key in keys:
        report = b.rows[("intel_report", key)]
        if not may_show_text(report):
            continue
        for m in mine_text(report["report_text"] or ""):
            holders = [r for r in people if m.value in record_values(r)[m.kind]][:1]
            b.add("intelligence", "mention", [("intel_report", key), *_refs(holders)],
                  {"kind": m.kind, "start": m.start, "end": m.end})


def _associates(con, b: Builder, run_id: int, entity_id: int, people, own: set[str]) -> None:
    """Other persons in the subject's events, and at the subject's addresses."""
    by_event = defaultdict(list)
    for r in people:
        if r.get("event_key"):
            by_event[r["event_key"]].append(r)
    addresses = sorted({a for r in people if (a := address_key(r))})
    # Their records by event and by address, then their entities: each step a lookup by key (one
    # join of the whole tables read every row of them).
    found = [k for (k,) in con.execute(
        "SELECT record_key FROM person_record WHERE event_key IN (SELECT unnest(?)) UNION "
        "SELECT from_key FROM pole_link WHERE to_key IN (SELECT unnest(?)) AND link_type = 'resides_at'",
        [sorted(by_event), addresses]).fetchall()]
    others = con.execute(
        "SELECT record_key, entity_id FROM linkage_entity WHERE record_key IN (SELECT unnest(?)) "
        "AND run_id = ? AND entity_id <> ? ORDER BY ALL", [sorted(found), run_id, entity_id]).fetchall()
    entity_of = dict(others)
    b.rows |= fetch(con, [("person_record", k) for k in entity_of])
    for key, other_entity in others:
        other = b.rows.get(("person_record", key))
        if other is None or key in own:
            continue
        params = {"entity_id": other_entity}
        event = other.get("event_key")
        if event in by_event and (ref := _event_ref(b.rows, event)):
            if not may_support_inference(b.rows.get(("intel_report", event)) or {"intelligence_assessment": "A"}):
                continue
            mine = by_event[event]
            b.add("associates", "associate", [*_refs(mine), ("person_record", key), ref],
                  params | {"via": "event", "subject_records": [r["record_key"] for r in mine]})
        address = address_key(other)
        if address in addresses:
            mine = [r for r in people if address_key(r) == address][:1]
            b.add("associates", "associate", [*_refs(mine), ("person_record", key)],
                  params | {"via": "address", "subject_records": [r["record_key"] for r in mine]})


def _markers(b: Builder, people) -> None:
    for marker in MARKERS:
        refs = []
        for r in people:
            key = r.get("event_key")
            if r["role"] not in MARKER_ROLES or not key:
                continue
            evidence = [(t, key) for t in (*EVENT_DESCRIPTIONS, "intel_report")
                        if (t, key) in b.rows and not (t == "event" and ("intel_report", key) in b.rows)]
            if evidence and all(marker_evidence(marker, t, b.rows[(t, k)]) for t, k in evidence):
                refs += [("person_record", r["record_key"]), *evidence]
        if refs:
            b.add("markers", "marker", refs, {"marker": marker})


def _object(con, subject: Subject) -> list[Statement]:
    """Persons recorded with an address, a vehicle or a phone, and when."""
    if subject.kind == "phone":
        keys = [k for (k,) in con.execute("SELECT record_key FROM person_record WHERE phone = ? "
                                          "ORDER BY record_key", [subject.value]).fetchall()]
    else:
        link, prefix = ("resides_at", "") if subject.kind == "address" else ("drives", "vehicle:")
        keys = [k for (k,) in con.execute(
            "SELECT DISTINCT from_key FROM pole_link WHERE from_kind = 'person_record' AND link_type = ? "
            "AND to_key = ? ORDER BY 1", [link, prefix + subject.value]).fetchall()]
    rows = fetch(con, [("person_record", k) for k in keys])
    b = Builder(rows)
    for group in _group([rows[("person_record", k)] for k in keys if ("person_record", k) in rows],
                        lambda r: (person_name(r), r.get("date_of_birth"))).values():
        b.add("linked_persons", "linked_person", _refs(group), {"what": subject.kind, "value": subject.value})
    return b.statements
