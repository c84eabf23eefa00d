"""docs/dvds.md says what the declarations say: each recognition rule's weight, the threshold,
the age gap and the categories, and each measure's name."""

from __future__ import annotations

from pathlib import Path

from peel.dvds.recognition import read_rules
from peel.measures.registry import get_measures

DOC = Path(__file__).resolve().parents[2] / "docs" / "dvds.md"


def test_docs_state_every_rule_and_threshold_as_declared():
    page = DOC.read_text(encoding="utf-8")
    rules = read_rules()
    assert f"raised at **{rules['threshold']}** or more" in page
    for name, rule in rules["evidence"].items():
        assert f"*{rule['label']}* (weight {rule['weight']})" in page, name
        for category in rule.get("categories", []):
            assert f"`{category}`" in page
    shared = rules["evidence"]["shared_address"]
    assert f"no more than {shared['max_age_gap_years']} years apart" in page
    assert f"within {shared['max_days_apart']} days of the person" in page
    assert all(f"`{c}`" in page for c in rules["history"]["categories"])


def test_docs_link_the_declared_measures():
    page = (DOC.parent / "measures.md").read_text(encoding="utf-8")
    assert all(m.name in page for m in get_measures("dvds").values())


def test_docs_state_the_share_accepted_as_declared():
    page = " ".join(DOC.read_text(encoding="utf-8").split())
    share = get_measures("dvds")["dvds_share_accepted"]
    assert f"**{share.name}** (`{share.id}` in `measures.yaml`)" in page
    assert share.definition in page
    assert share.counting_rule.removesuffix(" Shown only when both counts are at least 10.") in page
