"""The registry of declared measures: ``definitions.yaml`` read once into ``Measure`` objects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    definition: str
    unit: str
    good: str  # 'higher' or 'lower'
    counting_rule: str
    comparison: str
    statistics: str | None = None
    sql: str | None = None  # the count, or the denominator of a rate
    numerator_sql: str | None = None  # present for rates

    @property
    def is_rate(self) -> bool:
        return self.numerator_sql is not None


@cache
def get_measures() -> dict[str, Measure]:
    """Every declared measure by id, in the order declared."""
    text = (resources.files("peel.measures") / "definitions.yaml").read_text(encoding="utf-8")
    return {m["id"]: Measure(**m) for m in yaml.safe_load(text)["measures"]}


def get_measure(measure_id: str) -> Measure:
    measures = get_measures()
    if measure_id not in measures:
        raise KeyError(f"No measure '{measure_id}'. Declared: {', '.join(measures)}")
    return measures[measure_id]


def render_measures_markdown() -> str:
    """The measures section of docs/measures.md, generated from the declarations."""
    lines = []
    for m in get_measures().values():
        lines += [f"### {m.name} (`{m.id}`)", "", m.definition, ""]
        lines += [f"- **Unit:** {m.unit}", f"- **Better when:** {m.good}"]
        lines += [f"- **Compared with:** {m.comparison}", f"- **Counting rule:** {m.counting_rule}"]
        if m.statistics:
            lines.append(f"- **Statistics:** {m.statistics}")
        for label, sql in (("Numerator", m.numerator_sql), ("Count" if not m.is_rate else "Denominator", m.sql)):
            if sql:
                lines += ["", f"{label}:", "", "```sql", sql.strip(), "```"]
        lines.append("")
    return "\n".join(lines)
