"""Every kind of statement a pack can make, each a function from the warehouse rows it cites to
the sentence it states. There is no other way to write a statement: the pack is built by
calling these on rows it fetched, and verified by calling them again on rows fetched afresh
(``peel.intel.statements``), so a sentence that its rows no longer give fails, naming itself.

A claim function takes the cited rows (in the order cited) and the statement's parameters, and
returns the sentence. It raises ``ClaimMismatch`` when the rows cannot support any sentence of
its kind (a record no longer linked to the event it was cited for, for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from peel.intel.grading import describe_grading, may_show_text, may_support_inference
from peel.intel.mining import mine_text, record_values
from peel.linkage.model import MATCH_THRESHOLD

Row = dict
Claim = Callable[[list[tuple[str, Row]], dict], str]


class ClaimMismatch(ValueError):
    """The cited rows do not support a statement of this kind."""


def day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else "date not recorded"


def person_name(row: Row) -> str:
    parts = [row.get("forename"), row.get("middle_names"), row.get("surname")]
    name = " ".join(p for p in parts if p)
    return name or (row.get("full_name_raw") or "(no name recorded)")


def _people(cited) -> list[Row]:
    return [row for table, row in cited if table == "person_record"]


def _only(values: set, what: str) -> object:
    if len(values) != 1:
        raise ClaimMismatch(f"the cited records no longer agree on the {what}: {sorted(map(str, values))}")
    return next(iter(values))


def _period(people: list[Row]) -> str:
    days = sorted(r["recorded_date"] for r in people if r.get("recorded_date"))
    if not days:
        return "no date recorded"
    return f"recorded from {day(days[0])} to {day(days[-1])} ({len(people)} record{'s' * (len(people) != 1)})"


# --- identity -----------------------------------------------------------------------------

def claim_name(cited, params) -> str:
    return f"Name recorded as {_only({person_name(r) for r in _people(cited)}, 'name')}"


def claim_date_of_birth(cited, params) -> str:
    return f"Date of birth recorded as {day(_only({r['date_of_birth'] for r in _people(cited)}, 'date of birth'))}"


def claim_identifier(cited, params) -> str:
    field = params["field"]
    label = IDENTIFIERS[field]
    return f"{label} recorded as {_only({r[field] for r in _people(cited)}, label)}"


IDENTIFIERS = {"pnc_id": "PNC id", "phone": "Phone number", "email": "Email address"}


# --- addresses, vehicles ------------------------------------------------------------------

def address_key(row: Row) -> str | None:
    """The address a record gives, as linkage keys it: postcode and house number."""
    links = [to for link, to in row.get("_links", []) if link == "resides_at"]
    return links[0] if links else None


def claim_address(cited, params) -> str:
    people = _people(cited)
    key = _only({address_key(r) for r in people}, "address")
    if key is None:
        raise ClaimMismatch("the cited records no longer give an address")
    first = min(people, key=lambda r: (r.get("recorded_date") or date.max, r["record_key"]))
    street = ", ".join(p for p in (first.get("street"), first.get("town")) if p)
    return f"Address {key}{f' ({street})' if street else ''}: {_period(people)}"


def claim_vehicle(cited, params) -> str:
    people = _people(cited)
    marks = {to.removeprefix("vehicle:") for r in people for link, to in r.get("_links", []) if link == "drives"}
    if params["vehicle"] not in marks:
        raise ClaimMismatch(f"the cited records no longer mention vehicle {params['vehicle']}")
    return f"Vehicle {params['vehicle']}: {_period(people)}"


# --- events -------------------------------------------------------------------------------

def _crime(row: Row) -> str:
    kind = row["crime_type"] + (f" ({row['crime_subtype']})" if row.get("crime_subtype") else "")
    outcome = f"; last outcome: {row['last_outcome']}" if row.get("last_outcome") else ""
    return f"crime {row['source_record_id']}: {kind}{outcome}"


def _arrest(row: Row) -> str:
    return f"arrest {row['source_record_id']} for {row.get('crime_type') or 'an offence not recorded'}"


def _event(row: Row) -> str:
    what = {"incident": "incident", "intelligence": "intelligence report"}.get(row["event_type"], row["event_type"])
    category = f": {row['category']}" if row.get("category") and row["event_type"] != "intelligence" else ""
    return f"{what} {row['source_record_id']}{category}"


# table -> how the timeline describes one of its rows. The extension point for firearms
# applications and Clare's Law cases (with their REF_TABLES entry in peel.intel.records).
EVENT_DESCRIPTIONS: dict[str, Callable[[Row], str]] = {"crime": _crime, "arrest": _arrest, "event": _event}
EVENT_DATES = {"crime": "recorded_date", "arrest": "arrest_date", "event": "event_date"}


def _event_row(cited) -> tuple[str, Row]:
    events = [(t, r) for t, r in cited if t in EVENT_DESCRIPTIONS]
    if len(events) != 1:
        raise ClaimMismatch("a timeline statement cites exactly one event")
    return events[0]


def _check_in_event(people: list[Row], table: str, event: Row) -> set[str]:
    from peel.intel.records import REF_TABLES

    key = event[REF_TABLES[table].key]
    for r in people:
        if r.get("event_key") != key:
            raise ClaimMismatch(f"record {r['record_key']} is no longer recorded in {key}")
    return {r["role"] for r in people}


def claim_event(cited, params) -> str:
    table, event = _event_row(cited)
    role = _only(_check_in_event(_people(cited), table, event), "role")
    return f"{day(event.get(EVENT_DATES[table]))}: {role} in {EVENT_DESCRIPTIONS[table](event)}"


def claim_intelligence(cited, params) -> str:
    """A report the subject is in, with its grading; its text only where handling permits."""
    table, event = _event_row(cited)
    _only(_check_in_event(_people(cited), table, event), "role")
    gradings = [r for t, r in cited if t == "intel_report"]
    if len(gradings) != 1 or gradings[0]["event_key"] != event["event_key"]:
        raise ClaimMismatch("an intelligence statement cites the report's own grading, once")
    grading = gradings[0]
    text = (f' Text: "{grading["report_text"]}"' if may_show_text(grading)
            else f" Text withheld under handling code C: {grading['handling_conditions']}")
    return (f"{day(event.get('event_date'))}: subject of intelligence report {event['source_record_id']}, "
            f"graded {describe_grading(grading)}.{text}")


# --- warning markers ----------------------------------------------------------------------

# marker -> (what makes a cited event evidence of it). Only events where the subject is a
# suspect, arrestee or a report's subject count; a report assessed as suspected false never does.
MARKERS: dict[str, Callable[[str, Row], bool]] = {
    "weapons": lambda t, r: (t in ("crime", "arrest") and r.get("crime_type") == "Possession of weapons")
    or (t == "intel_report" and "bladed article" in (r.get("report_text") or "")),
    "violence": lambda t, r: t in ("crime", "arrest") and r.get("crime_type") in (
        "Violence and sexual offences", "Robbery"),
    "domestic abuse": lambda t, r: (t == "event" and r.get("category") == "DOMESTIC INCIDENT")
    or (t in ("crime", "arrest") and r.get("crime_subtype") == "Stalking and harassment"),
}
MARKER_ROLES = {"suspect", "arrestee", "subject"}


def marker_evidence(marker: str, table: str, row: Row) -> bool:
    if table == "intel_report" and not may_support_inference(row):
        return False
    return MARKERS[marker](table, row)


def claim_marker(cited, params) -> str:
    marker = params["marker"]
    if any(r["role"] not in MARKER_ROLES for r in _people(cited)):
        raise ClaimMismatch("a marker rests only on records naming the subject as suspect, arrestee or subject")
    evidence = [(t, r) for t, r in cited if t != "person_record"
                and not (t == "event" and r.get("event_type") == "intelligence")]
    failing = [t for t, r in evidence if not marker_evidence(marker, t, r)]
    if failing or not evidence:
        raise ClaimMismatch(f"the cited records no longer support the {marker} marker")
    return f"Warning marker: {marker}, on {len(_people(cited))} record(s) naming the subject"


# --- associates, probabilistic links -------------------------------------------------------

# (the associate's role, the subject's role) -> how they are linked, when it has a usual name.
ASSOCIATION = {("suspect", "suspect"): "co-suspect", ("arrestee", "arrestee"): "arrested with the subject",
               ("subject", "subject"): "named with the subject"}


def claim_associate(cited, params) -> str:
    people = _people(cited)
    subject = [r for r in people if r["record_key"] in params["subject_records"]]
    other = [r for r in people if r["record_key"] not in params["subject_records"]]
    if not subject or not other:
        raise ClaimMismatch("an association cites a record of the subject and one of the associate")
    if params["via"] == "address":
        key = _only({address_key(r) for r in people}, "address")
        return f"{person_name(other[0])}: co-resident, recorded at the same address as the subject ({key})"
    table, event = _event_row(cited)
    _check_in_event(people, table, event)
    theirs, ours = other[0]["role"], _only({r["role"] for r in subject}, "subject's role")
    how = ASSOCIATION.get((theirs, ours), f"{theirs} where the subject is {ours}")
    return (f"{person_name(other[0])}: {how}, in {EVENT_DESCRIPTIONS[table](event)} "
            f"({day(event.get(EVENT_DATES[table]))})")


def claim_probable_record(cited, params) -> str:
    people = _people(cited)
    links = [r for t, r in cited if t == "linkage_entity"]
    if len(people) != 1 or len(links) != 1 or links[0]["record_key"] != people[0]["record_key"]:
        raise ClaimMismatch("a probabilistic link cites one record and its linkage")
    r, link = people[0], links[0]
    if link["link_probability"] is None:
        raise ClaimMismatch("the record is no longer linked by probability")
    return (f"Record {r['source_system']}:{r['source_record_id']} ({person_name(r)}, born "
            f"{day(r.get('date_of_birth'))}, {r['role']}) is probably the subject: linked by "
            f"record linkage with match probability {link['link_probability']:.3f}")


def claim_mention(cited, params) -> str:
    reports = [r for t, r in cited if t == "intel_report"]
    if len(reports) != 1 or not may_show_text(reports[0]):
        raise ClaimMismatch("a mention cites one report whose handling code lets its text be shown")
    found = [m for m in mine_text(reports[0]["report_text"] or "")
             if (m.kind, m.start, m.end) == (params["kind"], params["start"], params["end"])]
    if not found:
        raise ClaimMismatch("the report's text no longer holds this mention")
    m = found[0]
    claim = (f"Report {reports[0]['source_record_id']} mentions {m.kind} {m.value} "
             f"(rule: {m.rule}; confidence {m.confidence:.2f})")
    for r in _people(cited):
        if m.value not in record_values(r)[m.kind]:
            raise ClaimMismatch(f"record {r['record_key']} no longer holds the {m.kind} mentioned")
        claim += f"; the same {m.kind} is on the subject's record {r['source_system']}:{r['source_record_id']}"
    return claim


def _holds(row: Row, what: str, value: str) -> bool:
    if what == "phone":
        return row.get("phone") == value
    if what == "address":
        return address_key(row) == value
    return ("drives", f"vehicle:{value}") in row.get("_links", [])


def claim_linked_person(cited, params) -> str:
    people = _people(cited)
    if not all(_holds(r, params["what"], params["value"]) for r in people):
        raise ClaimMismatch(f"a cited record no longer gives this {params['what']}")
    name = _only({person_name(r) for r in people}, "name")
    born = day(_only({r.get("date_of_birth") for r in people}, "date of birth"))
    return f"{name} (born {born}): recorded with this {params['what']}, {_period(people)}"


# --- event risk assessments --------------------------------------------------------------

def _public_event(cited) -> Row:
    events = [r for t, r in cited if t == "public_event"]
    if len(events) != 1:
        raise ClaimMismatch("an event statement cites exactly one past public event")
    return events[0]


def claim_past_event(cited, params) -> str:
    e = _public_event(cited)
    crowd = f", attendance {e['attendance']:,}" if e.get("attendance") else ""
    return f"{day(e['event_date'])}: {e['name']} ({e['event_kind']}) at {e['venue']}{crowd}"


def claim_around_event(cited, params) -> str:
    """Crimes and arrests recorded in the venue's district on the day of a past event."""
    e = _public_event(cited)
    crimes = [r for t, r in cited if t == "crime"]
    arrests = [r for t, r in cited if t == "arrest"]
    for r in crimes + arrests:
        when = r.get("recorded_date") or r.get("arrest_date")
        if r.get("district_code") != e["district_code"] or when != e["event_date"]:
            raise ClaimMismatch(f"{r.get('crime_key') or r.get('arrest_key')} is no longer on the day and in "
                                "the district of the event")
    kinds = sorted({r["crime_type"] for r in crimes})
    return (f"On the day of {e['name']} ({day(e['event_date'])}): {len(crimes)} crime(s) and {len(arrests)} "
            f"arrest(s) recorded in the venue's district" + (f" ({', '.join(kinds)})" if kinds else ""))


def claim_event_intelligence(cited, params) -> str:
    reports = [r for t, r in cited if t == "intel_report"]
    if len(reports) != 1 or not may_show_text(reports[0]):
        raise ClaimMismatch("an event statement cites one report whose handling code lets it be shown")
    r = reports[0]
    if params["term"].lower() not in (r["report_text"] or "").lower():
        raise ClaimMismatch(f"the report no longer mentions {params['term']}")
    return (f"Intelligence report {r['source_record_id']} ({day(r['report_date'])}, graded {describe_grading(r)}) "
            f"mentions {params['term']}")


def claim_possible_record(cited, params) -> str:
    people = _people(cited)
    pairs = [r for t, r in cited if t == "linkage_pair"]
    if len(people) != 2 or len(pairs) != 1:
        raise ClaimMismatch("a possible link cites the subject's record, the other record and their scored pair")
    mine, other = people
    pair = pairs[0]
    if {pair["record_key_l"], pair["record_key_r"]} != {mine["record_key"], other["record_key"]}:
        raise ClaimMismatch("the scored pair is not these two records")
    if pair["decision"] == "non_match":
        raise ClaimMismatch("a reviewer has since decided these records are different people")
    p = pair["match_probability"]
    # Most unlinked pairs score below the threshold. A pair above it is left unlinked when one
    # record holds nothing but a name, when a large entity held together only by weak links is
    # split, or when a reviewer ruled two records of the entity different people
    # (peel.linkage.resolve.without_name_only, cluster.split_weakly_held, cluster.split_rejected).
    why = ("below the match threshold" if p < MATCH_THRESHOLD else
           "above the match threshold, but linkage kept the records apart: a record holding "
           "nothing but a name joins a person only when one linked person has that name, a large "
           "entity held together only by weak links is split, and a reviewer's 'different people' "
           "splits an entity")
    return (f"Record {other['source_system']}:{other['source_record_id']} ({person_name(other)}, born "
            f"{day(other.get('date_of_birth'))}, {other['role']}) may be the subject, but was not linked: record "
            f"linkage scored it against the subject's record {mine['source_system']}:{mine['source_record_id']} "
            f"with match probability {p:.3f}, {why}")


CLAIMS: dict[str, Claim] = {
    "name": claim_name,
    "date_of_birth": claim_date_of_birth,
    "identifier": claim_identifier,
    "address": claim_address,
    "vehicle": claim_vehicle,
    "event": claim_event,
    "intelligence": claim_intelligence,
    "marker": claim_marker,
    "associate": claim_associate,
    "probable_record": claim_probable_record,
    "possible_record": claim_possible_record,
    "mention": claim_mention,
    "linked_person": claim_linked_person,
    "past_event": claim_past_event,
    "around_event": claim_around_event,
    "event_intelligence": claim_event_intelligence,
}
