"""The register of peel's algorithms (``algorithms.yaml``) and the Algorithmic Transparency
Recording Standard record generated from each entry and the code's own metadata: the first
line of its module's docstring and the values of the constants the entry names.

Changes to an algorithm's rules or model are the entry's ``changes``: each dated, said in words,
with the values of its declared parameters from then on. A test holds the latest entry to the
values in the code, so a parameter cannot change without a dated line the board reads in that
month's report (no version control is needed to see it).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

TIER1_FIELDS = ("description", "organisation", "function", "phase", "contact")
TIER2_FIELDS = ("owner", "supplier", "rationale", "decision_process", "human_review", "model", "data", "risks")


class RegistryError(ValueError):
    """An entry of algorithms.yaml that cannot be used: says which and what is expected."""


@dataclass(frozen=True)
class Change:
    day: date
    change: str
    parameters: dict  # the declared parameters' values from that day on


@dataclass(frozen=True)
class Algorithm:
    name: str
    title: str
    module: str
    parameters: tuple[str, ...]
    review_domain: str
    review_kinds: tuple[str, ...]
    tier1: dict
    tier2: dict
    changes: tuple[Change, ...] = ()

    def parameter_values(self) -> dict:
        module = importlib.import_module(self.module)
        return {p: getattr(module, p) for p in self.parameters}

    def changes_in(self, month: date) -> list[Change]:
        return [c for c in self.changes if (c.day.year, c.day.month) == (month.year, month.month)]

    def record(self) -> dict:
        """The ATRS record: tier 1 and tier 2, with what the code says of itself."""
        module = importlib.import_module(self.module)
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        return {
            "name": self.name, "title": self.title,
            "tier1": {k: self.tier1[k] for k in TIER1_FIELDS},
            "tier2": {k: self.tier2[k] for k in TIER2_FIELDS} | {
                "code": {"module": self.module, "summary": summary, "parameters": self.parameter_values()},
                "changes": [{"date": c.day.isoformat(), "change": c.change, "parameters": c.parameters}
                            for c in self.changes],
                "review_queue": {"domain": self.review_domain, "kinds": list(self.review_kinds)},
            },
        }


@cache
def read_registry() -> tuple[Algorithm, ...]:
    raw = yaml.safe_load((resources.files("peel.oversight") / "algorithms.yaml").read_text("utf-8"))
    algorithms = []
    for n, entry in enumerate(raw["algorithms"], 1):
        where = f"algorithms.yaml, entry {n} ({entry.get('name', 'no name')})"
        missing = [f"tier1.{k}" for k in TIER1_FIELDS if not (entry.get("tier1") or {}).get(k)]
        missing += [f"tier2.{k}" for k in TIER2_FIELDS if not (entry.get("tier2") or {}).get(k)]
        missing += [k for k in ("name", "title", "module", "review") if not entry.get(k)]
        if missing:
            raise RegistryError(f"{where}: missing {', '.join(missing)} (every ATRS field is required).")
        algorithms.append(Algorithm(entry["name"], entry["title"], entry["module"],
                                    tuple(entry.get("parameters") or ()), entry["review"]["domain"],
                                    tuple(entry["review"]["kinds"]), entry["tier1"], entry["tier2"],
                                    _read_changes(where, entry.get("changes") or [])))
    names = [a.name for a in algorithms]
    if len(set(names)) != len(names):
        raise RegistryError("algorithms.yaml: each algorithm is registered once; a name appears twice.")
    return tuple(algorithms)


def _read_changes(where: str, raw: list) -> tuple[Change, ...]:
    changes = []
    for n, change in enumerate(raw, 1):
        day = change.get("date")
        if not isinstance(day, date) or not change.get("change") or not isinstance(change.get("parameters"), dict):
            raise RegistryError(f"{where}, change {n}: expected date (YYYY-MM-DD), change (what changed, "
                                "in words) and parameters (the declared parameters' values from then on).")
        changes.append(Change(day, change["change"], change["parameters"]))
    if [c.day for c in changes] != sorted(c.day for c in changes):
        raise RegistryError(f"{where}: changes are listed oldest first.")
    return tuple(changes)


def records_json() -> str:
    return json.dumps([a.record() for a in read_registry()], indent=2, default=str)


def records_markdown() -> str:
    """The ATRS records as the Markdown docs/oversight.md shows (its generated section)."""
    lines = []
    for a in read_registry():
        r = a.record()
        lines += [f"### {a.title} (`{a.name}`)", "", "Tier 1:", ""]
        lines += [f"- **{k.replace('_', ' ')}**: {v}" for k, v in r["tier1"].items()]
        lines += ["", "Tier 2:", ""]
        lines += [f"- **{k.replace('_', ' ')}**: {v}" for k, v in r["tier2"].items()
                  if k not in ("code", "review_queue", "changes")]
        code = r["tier2"]["code"]
        params = ", ".join(f"`{k}` = {v}" for k, v in code["parameters"].items()) or "none"
        lines += [f"- **code**: `{code['module']}`: {code['summary']} Parameters: {params}.",
                  f"- **review queue**: domain `{a.review_domain}`, kinds "
                  + ", ".join(f"`{k}`" for k in a.review_kinds)]
        lines += [f"- **changed {c.day.isoformat()}**: {c.change}" for c in a.changes]
        lines += [""]
    return "\n".join(lines)
