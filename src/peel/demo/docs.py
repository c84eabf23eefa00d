"""Write docs/demo-persons.md's table of recording errors from ``data/person_errors.csv``, the
one place they are declared. Run ``python -m peel.demo.docs`` after changing a rate; a test
fails while the page and the data file disagree."""

from __future__ import annotations

from peel.demo.persons.parameters import (
    ERROR_APPLIES_TO,
    ERROR_KINDS,
    ERROR_MEANINGS,
    ERROR_RATES,
)
from peel.demo.persons.systems import SOURCES
from peel.docgen import DOCS_DIR, write_section

DOC = DOCS_DIR / "demo-persons.md"
SECTION = "error-rates"


def format_error_rates() -> str:
    """The error-rate table of docs/demo-persons.md, in Markdown (a test keeps them equal)."""
    lines = [
        "| error | meaning | rate is a share of | " + " | ".join(SOURCES) + " |",
        "|---|---|---|" + "---:|" * len(SOURCES),
    ]
    for kind in ERROR_KINDS:
        rates = " | ".join(f"{ERROR_RATES[s][kind]:g}" for s in SOURCES)
        lines.append(f"| `{kind}` | {ERROR_MEANINGS[kind]} | {ERROR_APPLIES_TO[kind]} | {rates} |")
    return "\n".join(lines)


def update_doc() -> None:
    write_section(DOC, SECTION, format_error_rates())


if __name__ == "__main__":
    update_doc()
