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
from peel.intel.records import LINKAGE, PAIR, PAIR_COLUMNS, fetch, pair_key, select_by_keys
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
    own = {k for k, _ in members}
    facts = [k for k, p in members if p is None or p >= FACT_PROBABILITY]
    probable = {k: p for k, p in members if p is not None and p < FACT_PROBABILITY}
    rows = fetch(con, [("person_record", k) for k, _ in members]
                 + [(LINKAGE, f"{run_id}:{k}") for k in probable])
    people = [rows[("person_record", k)] for k in facts if ("person_record", k) in rows]
    event_keys = {r["event_key"] for k, _ in members if (r := rows.get(("person_record", k)))
                  and r.get("event_key")}
    rows |= fetch(con, [(t, k) for t in (*EVENT_DESCRIPTIONS, "intel_report") for k in event_keys])
    others = _other_entities(con, run_id, entity_id, people)
    pairs = _possible_pairs(con, run_id, own)
    # The records of associates and of possible links, read together: one lookup a table.
    rows |= fetch(con, [("person_record", k) for k, _ in others]
                  + [(PAIR, pair_key(run_id, r["record_key_l"], r["record_key_r"])) for r in pairs]
                  + [("person_record", r[side]) for r in pairs for side in ("record_key_l", "record_key_r")])
    b = Builder(rows)
    _identity(b, people)
    _places(b, people)
    _timeline(b, people, "timeline")
    _mentions(b, people)
    _associates(b, people, others, own)
    _markers(b, people)
    for key, p in sorted(probable.items(), key=lambda kp: -kp[1]):
        b.add("probabilistic", "probable_record", [("person_record", key), (LINKAGE, f"{run_id}:{key}")],
              probability=round(p, 6))
    _timeline(b, [rows[("person_record", k)] for k in probable], "probabilistic", probable)
    _possible(b, run_id, pairs, own)
    return b.statements


def _possible_pairs(con, run_id: int, mine: set[str]) -> list[dict]:
    """Pairs scored between one of the subject's records and another's, left unlinked (and not
    ruled out by a reviewer), closest first: each side's key looked up in turn."""
    found = {}
    for column in ("record_key_l", "record_key_r"):
        for r in select_by_keys(con, PAIR, column, mine, PAIR_COLUMNS):
            found[(r["run_id"], r["record_key_l"], r["record_key_r"])] = r
    pairs = [r for r in found.values() if r["run_id"] == run_id
             and r["match_probability"] >= POSSIBLE_LINK_PROBABILITY and r["decision"] != "non_match"
             and (r["record_key_l"] in mine) != (r["record_key_r"] in mine)]
    pairs.sort(key=lambda r: (-r["match_probability"], r["record_key_l"], r["record_key_r"]))
    return pairs[:POSSIBLE_LINKS_SHOWN]


def _possible(b: Builder, run_id: int, pairs: list[dict], mine: set[str]) -> None:
    """Records scored against the subject's but left unlinked, apart with their probability."""
    for r in pairs:
        left, right = r["record_key_l"], r["record_key_r"]
        subject, other = (left, right) if left in mine else (right, left)
        b.add("possible", "possible_record",
              [("person_record", subject), ("person_record", other), (PAIR, pair_key(run_id, left, right))],
              probability=round(r["match_probability"], 6))


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


def _other_entities(con, run_id: int, entity_id: int, people) -> list[tuple[str, int]]:
    """(record, entity) of the other persons in the subject's events and at the subject's
    addresses: their records by event and by address, then their entities, each by key."""
    events = {r["event_key"] for r in people if r.get("event_key")}
    addresses = {a for r in people if (a := address_key(r))}
    found = {r["record_key"] for r in select_by_keys(con, "person_record", "event_key", events, "record_key")}
    found |= {r["from_key"] for r in select_by_keys(con, "pole_link", "to_key", addresses, "from_key, link_type")
              if r["link_type"] == "resides_at"}
    return sorted((r["record_key"], r["entity_id"])
                  for r in select_by_keys(con, LINKAGE, "record_key", found, "run_id, record_key, entity_id")
                  if r["run_id"] == run_id and r["entity_id"] != entity_id)


def _associates(b: Builder, people, others: list[tuple[str, int]], own: set[str]) -> None:
    """Other persons in the subject's events, and at the subject's addresses."""
    by_event = defaultdict(list)
    for r in people:
        if r.get("event_key"):
            by_event[r["event_key"]].append(r)
    addresses = {a for r in people if (a := address_key(r))}
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
        keys = sorted({r["from_key"] for r in select_by_keys(con, "pole_link", "to_key", [prefix + subject.value],
                                                             "from_kind, from_key, link_type")
                       if r["from_kind"] == "person_record" and r["link_type"] == link})
    rows = fetch(con, [("person_record", k) for k in keys])
    b = Builder(rows)
    for group in _group([rows[("person_record", k)] for k in keys if ("person_record", k) in rows],
                        lambda r: (person_name(r), r.get("date_of_birth"))).values():
        b.add("linked_persons", "linked_person", _refs(group), {"what": subject.kind, "value": subject.value})
    return b.statements
