"""Write docs/oversight.md's register section from algorithms.yaml and the code. Run
``python -m peel.oversight.docs`` after registering an algorithm; a test fails while the page
and the register disagree."""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.oversight.registry import records_markdown

DOC = DOCS_DIR / "oversight.md"
SECTION = "register"


def update_doc() -> None:
    write_section(DOC, SECTION, records_markdown())


if __name__ == "__main__":
    update_doc()
