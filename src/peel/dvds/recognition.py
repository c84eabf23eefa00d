"""Recognition of Right to Know situations in the linked warehouse: a person with a history of
domestic abuse against a partner, now linked to a new partner. The rules and thresholds are
declared once, in ``rules.yaml``; ``scan`` applies them in one SQL pass over the latest linkage
run; ``raise_candidates`` puts each new candidate in the review queue for a person to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb
import yaml

from peel.warehouse.sql import quote_literal

ALGORITHM = "dvds-recognition"
CANDIDATE_KIND = "right_to_know_candidate"


@cache
def read_rules() -> dict:
    """The declared rules (``peel/dvds/rules.yaml``)."""
    return yaml.safe_load((resources.files("peel.dvds") / "rules.yaml").read_text("utf-8"))


@dataclass(frozen=True)
class Candidate:
    person: int  # entity id of the person with the abuse history
    partner: int  # entity id of the new partner
    score: float
    history: tuple[dict, ...]  # the abuse records: event, date, record, probability
    evidence: tuple[dict, ...]  # kind, what (event or address), date, records, probability

    @property
    def key(self) -> str:
        return f"{self.person}-{self.partner}"

    @property
    def evidence_ids(self) -> frozenset[str]:
        return frozenset(f"{e['kind']}:{e['what']}" for e in self.evidence)

    def summary(self) -> str:
        """One line with no personal data, for the queue."""
        kinds = ", ".join(read_rules()["evidence"][k]["label"] for k in sorted({e["kind"] for e in self.evidence}))
        return f"Right to Know candidate: abuse history, then a new partner ({kinds}); score {self.score:.2f}"


def _in(values: list[str]) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def scan_sql(rules: dict) -> str:
    """The one query that finds the candidates (parameter: the linkage run)."""
    h, ev = rules["history"], rules["evidence"]
    shared, joint, intel = ev["shared_address"], ev["joint_incident"], ev["intelligence"]
    return f"""
    WITH rec AS (
        SELECT e.entity_id, coalesce(e.link_probability, 1.0) AS p, r.record_key, r.role, r.event_key,
               r.recorded_date, r.date_of_birth
        FROM linkage_entity e JOIN person_record r USING (record_key) WHERE e.run_id = $run),
    abuse AS (
        SELECT s.entity_id AS person, v.entity_id AS victim, x.event_key, x.event_date,
               s.record_key, s.date_of_birth AS dob, least(s.p, v.p) AS p
        FROM rec s JOIN event x ON x.event_key = s.event_key
        JOIN rec v ON v.event_key = s.event_key AND v.role = {quote_literal(h['partner_role'])}
        WHERE s.role = {quote_literal(h['person_role'])} AND x.category IN {_in(h['categories'])}),
    latest AS (SELECT person, max(event_date) AS since, list(DISTINCT victim) AS victims,
                      list(DISTINCT dob) FILTER (dob IS NOT NULL) AS dobs FROM abuse GROUP BY person),
    -- the person's records that agree with the abuse records' date of birth (or give none):
    -- a record linked to the person with another birth date is not taken as theirs
    mine AS (SELECT r.* FROM rec r JOIN latest l ON l.person = r.entity_id
             WHERE {'true' if not rules['history'].get('same_birth_date') else 'r.date_of_birth IS NULL OR len(l.dobs) = 0 OR list_contains(l.dobs, r.date_of_birth)'}),
    together AS (
        SELECT m.entity_id AS person, o.entity_id AS partner,
               CASE WHEN x.event_type = {quote_literal(joint['event_type'])} THEN 'joint_incident' ELSE 'intelligence' END AS kind,
               x.event_key AS what, x.event_date AS day, [m.record_key, o.record_key] AS records, least(m.p, o.p) AS p
        FROM mine m JOIN latest l ON l.person = m.entity_id
        JOIN event x ON x.event_key = m.event_key AND x.event_date > l.since
        JOIN rec o ON o.event_key = m.event_key AND o.entity_id <> m.entity_id
        WHERE (x.event_type = {quote_literal(joint['event_type'])} AND x.category IN {_in(joint['categories'])})
           OR (x.event_type = {quote_literal(intel['event_type'])} AND x.category IN {_in(intel['categories'])})),
    lives AS (
        SELECT r.entity_id, r.p, r.record_key, r.recorded_date AS day, k.resolved_key AS address
        FROM rec r JOIN pole_link pl ON pl.from_kind = 'person_record' AND pl.from_key = r.record_key
                                     AND pl.link_type = 'resides_at'
        JOIN linkage_object_key k ON k.run_id = $run AND k.kind = 'address' AND k.source_key = pl.to_key),
    moved AS (  -- addresses a person is recorded at after the abuse, and never before it
        SELECT a.* FROM lives a JOIN latest l ON l.person = a.entity_id
        JOIN mine USING (record_key)
        WHERE a.day > l.since AND a.address NOT IN (
            SELECT b.address FROM lives b WHERE b.entity_id = a.entity_id AND b.day <= l.since)),
    born AS (SELECT entity_id, min(date_of_birth) AS dob FROM rec GROUP BY entity_id),
    cohabit AS (
        SELECT m.entity_id AS person, o.entity_id AS partner, 'shared_address' AS kind, m.address AS what,
               greatest(m.day, o.day) AS day, [m.record_key, o.record_key] AS records, least(m.p, o.p) AS p
        FROM moved m JOIN latest l ON l.person = m.entity_id
        JOIN lives o ON o.address = m.address AND o.entity_id <> m.entity_id AND o.day > l.since
                     AND abs(datediff('day', m.day, o.day)) <= {int(shared['max_days_apart'])}
        JOIN born bm ON bm.entity_id = m.entity_id JOIN born bo ON bo.entity_id = o.entity_id
        WHERE bm.dob IS NULL OR bo.dob IS NULL
           OR abs(datediff('day', bm.dob, bo.dob)) <= {float(shared['max_age_gap_years'])} * 365.25),
    found AS (
        SELECT f.* FROM (SELECT * FROM together UNION ALL SELECT * FROM cohabit) f
        JOIN latest l ON l.person = f.person WHERE NOT list_contains(l.victims, f.partner)),
    strongest AS (  -- each piece of evidence once, at its best probability
        SELECT person, partner, kind, what, min(day) AS day, arg_max(records, p) AS records, max(p) AS p
        FROM found GROUP BY ALL),
    weighed AS (
        SELECT *, p * CASE kind WHEN 'shared_address' THEN {float(shared['weight'])}
                                WHEN 'joint_incident' THEN {float(joint['weight'])}
                                ELSE {float(intel['weight'])} END AS strength FROM strongest)
    SELECT person, partner, 1 - product(1 - strength) AS score,
           list({{'kind': kind, 'what': what, 'day': day, 'records': records, 'p': p}} ORDER BY kind, what) AS evidence
    FROM weighed GROUP BY person, partner
    HAVING 1 - product(1 - strength) >= {float(rules['threshold'])}
    ORDER BY person, partner
    """


def latest_run(con: duckdb.DuckDBPyConnection) -> int:
    run = con.execute("SELECT max(run_id) FROM linkage_run").fetchone()[0]
    if run is None:
        raise ValueError("No linkage run yet: recognition reads linked persons. Run `peel link` "
                         "(or `peel demo-link` on the demo force) first.")
    return run


def scan(con: duckdb.DuckDBPyConnection, run_id: int | None = None) -> list[Candidate]:
    """Every candidate in the linkage run (default the latest). Reads personal data: call it
    through ``raise_candidates`` or with the access checked (``access.consultation``)."""
    run = run_id or latest_run(con)
    rows = con.execute(scan_sql(read_rules()), {"run": run}).fetchall()
    history = _histories(con, run, sorted({r[0] for r in rows}))
    return [Candidate(person, partner, round(score, 4), tuple(history.get(person, ())),
                      tuple({**e, "day": e["day"].isoformat(), "p": round(e["p"], 4)} for e in evidence))
            for person, partner, score, evidence in rows]


def _histories(con: duckdb.DuckDBPyConnection, run: int, persons: list[int]) -> dict[int, list[dict]]:
    if not persons:
        return {}
    h = read_rules()["history"]
    rows = con.execute(f"""
        SELECT e.entity_id, x.event_key, x.event_date, r.record_key, coalesce(e.link_probability, 1.0)
        FROM linkage_entity e JOIN person_record r USING (record_key) JOIN event x ON x.event_key = r.event_key
        WHERE e.run_id = ? AND r.role = {quote_literal(h['person_role'])} AND x.category IN {_in(h['categories'])}
          AND e.entity_id IN (SELECT unnest(?))
        ORDER BY x.event_date""", [run, persons]).fetchall()
    out: dict[int, list[dict]] = {}
    for entity, event_key, day, record, p in rows:
        out.setdefault(entity, []).append({"event": event_key, "day": day.isoformat(), "record": record,
                                           "p": round(p, 4)})
    return out
