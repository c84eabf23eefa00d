"""Write the measures section of docs/measures.md from the declarations.

Run ``python -m peel.measures.docs`` after changing definitions.yaml; a test fails while the
page and the declarations disagree.
"""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.measures.registry import render_measures_markdown

DOC = DOCS_DIR / "measures.md"
SECTION = "measures"


def update_doc() -> None:
    write_section(DOC, SECTION, render_measures_markdown())


if __name__ == "__main__":
    update_doc()
