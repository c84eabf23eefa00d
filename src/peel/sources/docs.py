"""Write docs/ingest.md's tables of police.uk outcome wordings and crime types from their CSV
files (``mappings/``), the one place they are defined. Run ``python -m peel.sources.docs``
after changing one; a test fails while the page and the files disagree."""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.sources.outcomes import render_mapping_table
from peel.sources.police_uk import render_crime_types_table

DOC = DOCS_DIR / "ingest.md"
# The page's generated sections, each with what writes it.
SECTIONS = {"outcome-mapping": render_mapping_table, "crime-types": render_crime_types_table}


def update_doc() -> None:
    for name, render in SECTIONS.items():
        write_section(DOC, name, render())


if __name__ == "__main__":
    update_doc()
