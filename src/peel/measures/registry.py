"""The registry of declared measures: every domain's ``measures.yaml``, read once.

Each agenda item declares its figures in a ``measures.yaml`` in its own folder
(``peel/crime/measures.yaml``, later ``peel/firearms/measures.yaml``...). The registry finds
them by looking in every sub-package of ``peel``, so it names no domain, and a new domain's
measures appear in the CLI, the pack and docs/measures.md without a change here. Every
measure says which domain it belongs to, and that must be the folder it is declared in.
"""

from __future__ import annotations

import pkgutil
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path

import yaml

MEASURES_FILE = "measures.yaml"
POLARITIES = ("higher", "lower", "neither")


@dataclass(frozen=True)
class Measure:
    id: str
    domain: str  # the folder that declares it: crime, firearms, lfr...
    name: str
    definition: str
    unit: str
    good: str  # polarity: 'higher', 'lower' or 'neither' is better
    counting_rule: str
    comparison: str
    statistics: str | None = None
    sql: str | None = None  # the count, or the denominator of a rate
    numerator_sql: str | None = None  # present for rates

    @property
    def is_rate(self) -> bool:
        return self.numerator_sql is not None


class MeasureDeclarationError(ValueError):
    """A measures.yaml that cannot be read, naming the file and the measure at fault."""


def find_measure_files() -> list[tuple[str, Path]]:
    """(folder name, measures.yaml) for every sub-package of ``peel`` that declares measures,
    found on disk without importing any of them."""
    import peel

    found = []
    for module in pkgutil.iter_modules(peel.__path__):
        path = Path(module.module_finder.path) / module.name / MEASURES_FILE
        if module.ispkg and path.is_file():
            found.append((module.name, path))
    return sorted(found, key=lambda pair: pair[0])


def read_measure_file(folder: str, path: Path) -> list[Measure]:
    """The measures one file declares, each checked to belong to ``folder``."""
    where = f"peel/{folder}/{MEASURES_FILE}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise MeasureDeclarationError(f"{where}: not valid YAML ({error}).") from None
    allowed = {f.name for f in fields(Measure)}
    required = {f.name for f in fields(Measure) if f.default is MISSING}
    measures = []
    for number, item in enumerate(data.get("measures") or [], start=1):
        label = f"{where}, measure {number} ({item.get('id', 'no id')})"
        missing = sorted(required - set(item))
        unknown = sorted(set(item) - allowed)
        if missing or unknown:
            raise MeasureDeclarationError(
                f"{label}: " + "; ".join(
                    ([f"missing {', '.join(missing)}"] if missing else [])
                    + ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
                ) + f". Each measure declares {', '.join(sorted(required))}."
            )
        if item["domain"] != folder:
            raise MeasureDeclarationError(
                f"{label}: says domain '{item['domain']}' but is declared in peel/{folder}/; "
                f"a measure lives in its own domain's folder."
            )
        if item["good"] not in POLARITIES:
            raise MeasureDeclarationError(f"{label}: 'good' must be one of {', '.join(POLARITIES)}.")
        measures.append(Measure(**item))
    return measures


@cache
def get_measures(domain: str | None = None) -> dict[str, Measure]:
    """Every declared measure by id (or only one domain's), domains in name order, measures
    in the order declared."""
    measures: dict[str, Measure] = {}
    for folder, path in find_measure_files():
        for measure in read_measure_file(folder, path):
            if measure.id in measures:
                raise MeasureDeclarationError(
                    f"peel/{folder}/{MEASURES_FILE}: measure id '{measure.id}' is already declared "
                    f"by {measures[measure.id].domain}; ids are unique across domains."
                )
            measures[measure.id] = measure
    if domain is None:
        return measures
    return {k: m for k, m in measures.items() if m.domain == domain}


def get_measure(measure_id: str) -> Measure:
    measures = get_measures()
    if measure_id not in measures:
        raise KeyError(f"No measure '{measure_id}'. Declared: {', '.join(measures)}")
    return measures[measure_id]


def render_measures_markdown() -> str:
    """The measures section of docs/measures.md, generated from the declarations: one heading
    per domain, then each of its measures."""
    lines = []
    domains = sorted({m.domain for m in get_measures().values()})
    for domain in domains:
        lines += [f"### {domain} (`peel/{domain}/{MEASURES_FILE}`)", ""]
        for m in get_measures(domain).values():
            lines += [f"#### {m.name} (`{m.id}`)", "", m.definition, ""]
            lines += [f"- **Unit:** {m.unit}", f"- **Better when:** {m.good}"]
            lines += [f"- **Compared with:** {m.comparison}", f"- **Counting rule:** {m.counting_rule}"]
            if m.statistics:
                lines.append(f"- **Statistics:** {m.statistics}")
            for label, sql in (("Numerator", m.numerator_sql), ("Count" if not m.is_rate else "Denominator", m.sql)):
                if sql:
                    lines += ["", f"{label}:", "", "```sql", sql.strip(), "```"]
            lines.append("")
    return "\n".join(lines)
