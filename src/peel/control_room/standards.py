"""The control room's declared standards (``standards.yaml``): channels and their answer
standards, incident grades and their attendance targets, shift patterns, the working-time
rules rosters keep, and the time zone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STANDARDS_FILE = Path(__file__).with_name("standards.yaml")


@dataclass(frozen=True)
class Channel:
    code: str
    name: str
    answer_within_seconds: float | None = None
    answer_share: float | None = None


@dataclass(frozen=True)
class Grade:
    code: str
    name: str
    target_urban_minutes: float | None
    target_rural_minutes: float | None

    def target_minutes(self, rural: bool) -> float | None:
        return self.target_rural_minutes if rural else self.target_urban_minutes


@dataclass(frozen=True)
class Shift:
    code: str
    start_hour: int
    hours: int

    def covers(self, hour: int) -> bool:
        """Whether a shift starting at ``start_hour`` (local) is on duty in local ``hour``."""
        return (hour - self.start_hour) % 24 < self.hours


@dataclass(frozen=True)
class Pattern:
    """A shift pattern response officers may work: its shifts, each staffed alike."""

    code: str
    name: str
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class WorkingTime:
    min_rest_hours: int
    max_consecutive_shifts: int
    rest_days_per_week: int


@dataclass(frozen=True)
class Standards:
    time_zone: str
    channels: dict[str, Channel]
    grades: dict[str, Grade]
    shifts: dict[str, Shift]
    attendance_goal: float
    response_patterns: dict[str, Pattern]
    working_time: WorkingTime


@cache
def get_standards() -> Standards:
    data = yaml.safe_load(STANDARDS_FILE.read_text(encoding="utf-8"))
    return Standards(
        time_zone=data["time_zone"],
        channels={c["code"]: Channel(**c) for c in data["channels"]},
        grades={g["code"]: Grade(**g) for g in data["grades"]},
        shifts={s["code"]: Shift(**s) for s in data["shifts"]},
        attendance_goal=data["attendance_goal"],
        response_patterns={p["code"]: Pattern(p["code"], p["name"], tuple(Shift(**s) for s in p["shifts"]))
                           for p in data["response_patterns"]},
        working_time=WorkingTime(**data["working_time"]),
    )
