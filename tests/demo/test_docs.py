"""The docs page's generated table is the data file's, as it stands."""

from __future__ import annotations

from peel.demo.docs import DOC, SECTION, format_error_rates
from peel.docgen import get_section


def test_format_error_rates_is_what_the_docs_page_shows():
    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == format_error_rates(), (
        "docs/demo-persons.md shows other error rates than data/person_errors.csv: "
        "run python -m peel.demo.docs"
    )
