"""Write docs/warehouse.md's schema section from the schema files, the one place the
warehouse is defined. Run ``python -m peel.warehouse.docs`` after adding a schema file; a
test fails while the page and the files disagree."""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.warehouse.database import schema_files

DOC = DOCS_DIR / "warehouse.md"
SECTION = "schema"


def render_schema_markdown() -> str:
    parts = []
    for file in schema_files():
        parts += [f"### `{file.name}`", "", "```sql", file.sql.strip(), "```", ""]
    return "\n".join(parts)


def update_doc() -> None:
    write_section(DOC, SECTION, render_schema_markdown())


if __name__ == "__main__":
    update_doc()
