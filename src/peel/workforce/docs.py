"""Write docs/workforce.md's generated sections from their one declaration: the ranks and
grades an HR extract may give (``ranks.csv``), the wellbeing services (``services.csv``) and
each extract's mapping fields (``extracts.KINDS``).

Run ``python -m peel.workforce.docs`` after changing them; a test fails while they disagree.
"""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.workforce.extracts import KINDS, read_reference

DOC = DOCS_DIR / "workforce.md"
SECTION = "workforce-reference"


def render_reference_markdown() -> str:
    lines = ["| rank or grade | officer or staff | leadership course |", "|---|---|---|"]
    lines += [f"| {r.rank_or_grade} | {r.kind} | {r.course or '-'} |" for r in read_reference("ranks.csv").itertuples()]
    lines += ["", "| wellbeing service | what it is |", "|---|---|"]
    lines += [f"| {s.service} | {s.description} |" for s in read_reference("services.csv").itertuples()]
    lines += ["", "| extract (KIND) | mapping section | fields (required in bold) | loads into |", "|---|---|---|---|"]
    for kind, spec in KINDS.items():
        names = ", ".join(f"**{n}**" if n in spec.required else n for n in spec.fields.names)
        lines.append(f"| {kind} | `{spec.fields.section}:` | {names} | `{spec.table}` |")
    return "\n".join(lines)


def update_doc() -> None:
    write_section(DOC, SECTION, render_reference_markdown())


if __name__ == "__main__":
    update_doc()
