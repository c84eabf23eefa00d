"""Entities named in free text (intelligence reports): phone numbers (Google's libphonenumber,
through ``phonenumbers``), vehicle registration marks, postcodes and names, by declared rules,
each with the confidence its rule gives.

The rules are deterministic, so mining the same text again finds the same mentions at the same
places: that is how a pack's mention statements are verified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

REGION = "GB"
# Current-format marks (since 2001): two letters, two digits, three letters.
VRM = re.compile(r"\b([A-Z]{2}[0-9]{2}) ?([A-Z]{3})\b")
# A mark that is not in the current format (often a misread 0/O, 5/S...), named as a vehicle's.
VRM_AFTER_VEHICLE = re.compile(r"(?<=\bvehicle )([A-Z0-9]{2,4}) ?([A-Z0-9]{3})\b")
# UK postcode: outward code (area, district) and inward code (sector digit, unit letters).
POSTCODE_PARTS = r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})"
# In free text, as people type them: any case, any spacing between the two halves.
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
# 'Forename [Middle] SURNAME', the way reports write a person.
SURNAME = r"[A-Z](?:[A-Z]|['-][A-Z])+"
NAME = re.compile(rf"\b((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)? ){{1,3}})({SURNAME})\b")
# A surname alone, in capitals, when the writer did not know the forename.
SURNAME_ALONE = re.compile(rf"\b({SURNAME})\b")

# rule -> confidence that a match is the kind of thing the rule says.
CONFIDENCE = {
    "phone, valid UK number (libphonenumber)": 0.95,
    "phone, possible number (libphonenumber)": 0.6,
    "vehicle mark, current format with space": 0.9,
    "vehicle mark, current format without space": 0.8,
    "vehicle mark, other format, after the word 'vehicle'": 0.5,
    "postcode, full": 0.9,
    "name, Forename SURNAME": 0.7,
    "name, SURNAME alone": 0.4,
}


@dataclass(frozen=True)
class Mention:
    kind: str  # 'phone', 'vehicle', 'postcode', 'name'
    text: str  # as written
    value: str  # normalised: phone 07..., mark without spaces, postcode with one space, NAME upper
    start: int
    end: int
    rule: str

    @property
    def confidence(self) -> float:
        return CONFIDENCE[self.rule]


def mine_text(text: str) -> list[Mention]:
    """Every mention in ``text``, in the order they appear."""
    found: list[Mention] = []
    for match in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        number = match.number
        national = "0" + str(number.national_number) if number.country_code == 44 else \
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        rule = ("phone, valid UK number (libphonenumber)" if phonenumbers.is_valid_number(number)
                else "phone, possible number (libphonenumber)")
        found.append(Mention("phone", match.raw_string, national, match.start, match.end, rule))
    for m in VRM.finditer(text):
        rule = "vehicle mark, current format with space" if " " in m.group(0) else \
            "vehicle mark, current format without space"
        found.append(Mention("vehicle", m.group(0), m.group(1) + m.group(2), m.start(), m.end(), rule))
    for m in VRM_AFTER_VEHICLE.finditer(text):
        if not any(m.start() < other.end and other.start < m.end() for other in found):
            found.append(Mention("vehicle", m.group(0), m.group(1) + m.group(2), m.start(), m.end(),
                                 "vehicle mark, other format, after the word 'vehicle'"))
    for m in POSTCODE.finditer(text):
        found.append(Mention("postcode", m.group(0), f"{m.group(1)} {m.group(2)}".upper(), m.start(),
                             m.end(), "postcode, full"))
    for pattern, rule in ((NAME, "name, Forename SURNAME"), (SURNAME_ALONE, "name, SURNAME alone")):
        for m in pattern.finditer(text):
            if any(m.start() < other.end and other.start < m.end() for other in found):
                continue  # a mark, a postcode or a full name already found here
            value = " ".join(m.group(0).split()).upper()
            found.append(Mention("name", m.group(0), value, m.start(), m.end(), rule))
    return sorted(found, key=lambda m: (m.start, m.kind))


def record_values(record: dict) -> dict[str, set[str]]:
    """What a person record gives for each kind of mention, normalised the same way."""
    names = {f"{record.get('forename') or ''} {record.get('surname') or ''}".strip().upper()}
    if record.get("middle_names"):
        names.add(f"{record['forename']} {record['middle_names']} {record['surname']}".upper())
    return {
        "phone": {record["phone"]} if record.get("phone") else set(),
        "postcode": {record["postcode"]} if record.get("postcode") else set(),
        "vehicle": {to.removeprefix("vehicle:") for link, to in record.get("_links", []) if link == "drives"},
        "name": names,
    }
