"""Write docs/demo-persons.md's table of recording errors from ``ERROR_RATES``, the one place
they are declared. Run ``python -m peel.demo.docs`` after changing a rate; a test fails while
the page and the declarations disagree."""

from __future__ import annotations

from peel.demo.persons import format_error_rates
from peel.docgen import DOCS_DIR, write_section

DOC = DOCS_DIR / "demo-persons.md"
SECTION = "error-rates"


def update_doc() -> None:
    write_section(DOC, SECTION, format_error_rates())


if __name__ == "__main__":
    update_doc()
