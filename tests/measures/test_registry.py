"""The registry reads every domain's measures.yaml and refuses a declaration it cannot trust."""

import pytest

from peel.docgen import get_section
from peel.measures import get_measures, render_measures_markdown
from peel.measures.docs import DOC, SECTION
from peel.measures.registry import MeasureDeclarationError, read_measure_file

GOOD = """
measures:
  - id: m1
    domain: {domain}
    name: A measure
    definition: What it counts.
    unit: things
    good: {good}
    counting_rule: Once each.
    comparison: the month before
"""


def test_get_measures_reads_each_domain_from_its_own_folder():
    crime = get_measures("crime")
    assert "recorded_crimes" in crime
    assert {m.domain for m in crime.values()} == {"crime"}
    assert set(crime) <= set(get_measures())


def test_read_measure_file_refuses_a_measure_declared_in_another_domains_folder(tmp_path):
    path = tmp_path / "measures.yaml"
    path.write_text(GOOD.format(domain="firearms", good="higher"))
    with pytest.raises(MeasureDeclarationError, match="says domain 'firearms' but is declared in peel/crime/"):
        read_measure_file("crime", path)


def test_read_measure_file_names_the_file_measure_and_missing_keys(tmp_path):
    path = tmp_path / "measures.yaml"
    path.write_text("measures:\n  - id: m1\n    name: No domain\n")
    with pytest.raises(MeasureDeclarationError, match=r"peel/crime/measures.yaml, measure 1 \(m1\): missing"):
        read_measure_file("crime", path)


def test_read_measure_file_refuses_an_unknown_polarity(tmp_path):
    path = tmp_path / "measures.yaml"
    path.write_text(GOOD.format(domain="crime", good="up"))
    with pytest.raises(MeasureDeclarationError, match="'good' must be one of higher, lower, neither"):
        read_measure_file("crime", path)


def test_docs_measures_page_shows_every_domains_measures_as_declared():
    page = DOC.read_text(encoding="utf-8")
    assert get_section(page, SECTION) == render_measures_markdown().strip(), (
        "docs/measures.md is out of date: run python -m peel.measures.docs"
    )
    for measure in get_measures().values():
        assert f"({measure.id})" in page.replace("`", "")
