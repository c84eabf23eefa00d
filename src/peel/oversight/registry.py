"""The register of peel's algorithms (``algorithms.yaml``) and the Algorithmic Transparency
Recording Standard record generated from each entry and the code's own metadata: the first
line of its module's docstring and the values of the constants the entry names."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

TIER1_FIELDS = ("description", "organisation", "function", "phase", "contact")
TIER2_FIELDS = ("owner", "supplier", "rationale", "decision_process", "human_review", "model", "data", "risks")


class RegistryError(ValueError):
    """An entry of algorithms.yaml that cannot be used: says which and what is expected."""


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

    def record(self) -> dict:
        """The ATRS record: tier 1 and tier 2, with what the code says of itself."""
        module = importlib.import_module(self.module)
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        return {
            "name": self.name, "title": self.title,
            "tier1": {k: self.tier1[k] for k in TIER1_FIELDS},
            "tier2": {k: self.tier2[k] for k in TIER2_FIELDS} | {
                "code": {"module": self.module, "summary": summary,
                         "parameters": {p: getattr(module, p) for p in self.parameters}},
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
                                    tuple(entry["review"]["kinds"]), entry["tier1"], entry["tier2"]))
    names = [a.name for a in algorithms]
    if len(set(names)) != len(names):
        raise RegistryError("algorithms.yaml: each algorithm is registered once; a name appears twice.")
    return tuple(algorithms)


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
                  if k not in ("code", "review_queue")]
        code = r["tier2"]["code"]
        params = ", ".join(f"`{k}` = {v}" for k, v in code["parameters"].items()) or "none"
        lines += [f"- **code**: `{code['module']}`: {code['summary']} Parameters: {params}.",
                  f"- **review queue**: domain `{a.review_domain}`, kinds "
                  + ", ".join(f"`{k}`" for k in a.review_kinds), ""]
    return "\n".join(lines)
