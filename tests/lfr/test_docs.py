from peel.docgen import get_section
from peel.lfr.docs import DOC, SECTION, render_rules_markdown


def test_render_rules_markdown_matches_docs_lfr_md():
    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == render_rules_markdown().strip()
