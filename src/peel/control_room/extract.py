"""Loading a force's command-and-control extracts (calls, incidents) through the declared
mapping language (peel.sources.mapped; docs/ingest.md), all or nothing.

Each row is checked before anything is written: a call with a negative duration or answered
before it was received, an incident dispatched before it was created or of a grade the
standards do not declare, a local time the clocks skip or repeat... One bad row refuses the
whole file with an ``ExtractRefused`` that names the file, each bad line and what was
expected; nothing is written. A good file replaces the source's rows with the same ids, in
one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from peel.control_room.standards import get_standards
from peel.sources.mapped import FieldSet, MappingError, read_extract, read_mapping
from peel.sources.mapped.batch import ExtractRefused
from peel.warehouse import open_batch

CALL = FieldSet(section="call", names=("channel", "received_at", "answered_at", "handling_seconds",
                                       "district_code", "incident_id"))
INCIDENT = FieldSet(section="incident", names=(
    "grade", "created_at", "dispatched_at", "arrived_at", "closed_at", "district_code", "lsoa_code",
    "rural", "latitude", "longitude", "units"))
KINDS = {"calls": (CALL, "cr_call"), "incidents": (INCIDENT, "cr_incident")}
REQUIRED = {"calls": ("channel", "received_at"), "incidents": ("grade", "created_at", "district_code")}
@dataclass
class Checked:
    frame: pd.DataFrame  # the rows as the warehouse table takes them
    problems: list[tuple[int, str]]


def load_extract(con: duckdb.DuckDBPyConnection, kind: str, path: Path | str,
                 mapping: Path | str) -> dict[str, int]:
    """Load one calls or incidents extract; return the rows loaded. Raises MappingError for a
    mapping or file that cannot be read, ExtractRefused for bad rows."""
    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind '{kind}': choose calls or incidents.")
    fields, table = KINDS[kind]
    path = Path(path)
    m = read_mapping(mapping, fields)
    if not m.source_system:
        raise MappingError(f"{m.path}: 'source_system' is required to load an extract into the warehouse")
    missing = [f for f in REQUIRED[kind] if f not in m.fields]
    if missing:
        raise MappingError(f"{m.path}: {kind} extracts need {', '.join(missing)} mapped under '{fields.section}'")
    extract = read_extract(path, m)
    rows = extract.rows.to_pandas() if hasattr(extract.rows, "to_pandas") else extract.rows
    raw = pd.DataFrame({"_line": rows["_line"].astype(int), "record_id": rows[m.record_id].astype("string")})
    for name, columns in m.fields.items():
        text = rows[columns].astype("string").fillna("").agg(" ".join, axis=1).str.strip()
        codes = m.values.get(name)
        raw[name] = text.map(lambda v, codes=codes: codes.get(v, v)) if codes else text
    checked = (check_calls if kind == "calls" else check_incidents)(raw)
    problems = sorted(checked.problems + [(line, why) for line, why, _ in extract.unreadable])
    if problems:
        raise ExtractRefused(path, problems)
    frame = checked.frame.assign(source_system=m.source_system)
    key = "call_id" if kind == "calls" else "incident_id"
    frame["source_record_id"] = frame[key]
    with open_batch(con, m.source_system, [str(path)]) as batch:
        con.register("_peel_cr_rows", frame)
        try:
            con.execute(f"DELETE FROM {table} WHERE source_system = ? AND source_record_id IN "
                        f"(SELECT source_record_id FROM _peel_cr_rows)", [m.source_system])
            columns = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {table} ({columns}, batch_id) SELECT {columns}, ? FROM _peel_cr_rows",
                        [batch.batch_id])
        finally:
            con.unregister("_peel_cr_rows")
        batch.rows_read = batch.rows_loaded = len(frame)
        batch.note = f"control-room {kind} extract via mapping {m.path.name}"
    return {table: len(frame)}


def parse_times(text: pd.Series, name: str, problems: list, lines: pd.Series) -> pd.Series:
    """Instants from ISO 8601 text: with a UTC offset as written, without one as local time.
    A local time the clocks skip (spring) or repeat (autumn) is refused, never guessed."""
    tz = get_standards().time_zone
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    given = text != ""
    offset = given & text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    out[offset] = pd.to_datetime(text[offset], utc=True, format="ISO8601", errors="coerce")
    local = given & ~offset
    naive = pd.to_datetime(text[local], format="ISO8601", errors="coerce")
    skipped = naive.notna() & naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), bool), nonexistent="NaT").isna()
    repeated = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna() & naive.notna()
    out[local] = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    for i in text.index[given & out.isna()]:
        if skipped.get(i, False):
            why = f"{name} {text[i]!r} is a local time that does not exist (the clocks went forward): give its UTC offset"
        elif repeated.get(i, False):
            why = f"{name} {text[i]!r} happens twice in local time (the clocks went back): give its UTC offset, +01:00 or +00:00"
        else:
            why = f"{name} {text[i]!r} is not a date and time (expected ISO 8601, e.g. 2025-10-26T01:30:00+01:00)"
        problems.append((int(lines[i]), why))
    return out


def _require(raw: pd.DataFrame, names: tuple[str, ...], problems: list) -> None:
    for name in names:
        for i in raw.index[raw[name] == ""]:
            problems.append((int(raw.at[i, "_line"]), f"no {name}"))
    for i in raw.index[raw["record_id"].isna() | (raw["record_id"] == "")]:
        problems.append((int(raw.at[i, "_line"]), "no record id"))
    for i in raw.index[raw["record_id"].duplicated() & raw["record_id"].notna()]:
        problems.append((int(raw.at[i, "_line"]), f"record id {raw.at[i, 'record_id']!r} already used earlier in the file"))


def _order(problems: list, raw: pd.DataFrame, earlier: pd.Series, later: pd.Series, what: str) -> None:
    for i in raw.index[(later < earlier).fillna(False)]:
        problems.append((int(raw.at[i, "_line"]), what))


def _number(raw: pd.DataFrame, name: str, problems: list) -> pd.Series:
    text = raw[name] if name in raw else pd.Series("", index=raw.index)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    for i in raw.index[(text != "") & values.isna()]:
        problems.append((int(raw.at[i, "_line"]), f"{name} {text[i]!r} is not a number"))
    return values


def check_calls(raw: pd.DataFrame) -> Checked:
    problems: list[tuple[int, str]] = []
    _require(raw, REQUIRED["calls"], problems)
    channels = get_standards().channels
    for i in raw.index[(raw["channel"] != "") & ~raw["channel"].isin(channels)]:
        problems.append((int(raw.at[i, "_line"]), (f"unknown channel {raw.at[i, 'channel']!r}: expected one of "
                         f"{', '.join(channels)} (or a code the mapping's values translate to one)")))
    lines = raw["_line"]
    received = parse_times(raw["received_at"], "received_at", problems, lines)
    answered = parse_times(raw.get("answered_at", pd.Series("", index=raw.index)), "answered_at", problems, lines)
    handling = _number(raw, "handling_seconds", problems)
    for i in raw.index[(handling < 0).fillna(False)]:
        problems.append((int(raw.at[i, "_line"]), (f"negative handling time {handling[i]:g} seconds: a duration "
                         "cannot be below zero")))
    _order(problems, raw, received, answered, "answered before it was received: check the times and their offsets")
    phone = raw["channel"] != "online"
    frame = pd.DataFrame({
        "call_id": raw["record_id"], "channel": raw["channel"], "received_at": received, "answered_at": answered,
        "abandoned": phone & answered.isna(),
        "wait_seconds": (answered - received).dt.total_seconds().where(phone),
        "handling_seconds": handling,
        "district_code": raw.get("district_code", pd.Series("", index=raw.index)).replace("", None),
        "incident_id": raw.get("incident_id", pd.Series("", index=raw.index)).replace("", None),
    })
    return Checked(frame, problems)


def check_incidents(raw: pd.DataFrame) -> Checked:
    problems: list[tuple[int, str]] = []
    _require(raw, REQUIRED["incidents"], problems)
    grades = get_standards().grades
    for i in raw.index[(raw["grade"] != "") & ~raw["grade"].isin(grades)]:
        problems.append((int(raw.at[i, "_line"]), (f"unknown grade {raw.at[i, 'grade']!r}: expected one of "
                         f"{', '.join(grades)} (peel/control_room/standards.yaml), or a code the mapping translates")))
    lines = raw["_line"]
    empty = pd.Series("", index=raw.index)
    times = {n: parse_times(raw.get(n, empty), n, problems, lines)
             for n in ("created_at", "dispatched_at", "arrived_at", "closed_at")}
    _order(problems, raw, times["created_at"], times["dispatched_at"], "dispatched before it was created")
    _order(problems, raw, times["dispatched_at"], times["arrived_at"], "arrived before it was dispatched")
    _order(problems, raw, times["created_at"], times["closed_at"], "closed before it was created")
    rural_text = raw.get("rural", empty).str.lower()
    for i in raw.index[~rural_text.isin(["true", "false", ""])]:
        problems.append((int(raw.at[i, "_line"]), (f"rural {raw.at[i, 'rural']!r}: expected true or false "
                         "(or a code the mapping's values translate)")))
    frame = pd.DataFrame({
        "incident_id": raw["record_id"], "grade": raw["grade"], **times,
        "district_code": raw["district_code"], "lsoa_code": raw.get("lsoa_code", empty).replace("", None),
        "rural": rural_text == "true",
        "latitude": _number(raw, "latitude", problems), "longitude": _number(raw, "longitude", problems),
        "units": raw.get("units", empty).map(lambda u: [x.strip() for x in u.split(";") if x.strip()]),
    })
    return Checked(frame, problems)
