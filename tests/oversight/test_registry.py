"""The register of algorithms: one ATRS record each, generated from the register and the code,
and the docs page showing exactly that."""

from __future__ import annotations

import json

import pytest
import yaml

from peel.docgen import get_section
from peel.oversight import registry
from peel.oversight.docs import DOC, SECTION
from peel.oversight.registry import (
    TIER1_FIELDS,
    TIER2_FIELDS,
    RegistryError,
    read_registry,
    records_markdown,
)


def test_read_registry_has_the_algorithms_peel_runs_each_once():
    names = [a.name for a in read_registry()]
    assert {"record-linkage", "crime-pattern-detection", "intelligence-packs"} <= set(names)
    assert len(names) == len(set(names))


def test_record_has_every_atrs_field_and_the_code_s_own_thresholds():
    from peel.intel.assemble import FACT_PROBABILITY

    records = {r["name"]: r for r in json.loads(registry.records_json())}
    for record in records.values():
        assert set(record["tier1"]) == set(TIER1_FIELDS)
        assert set(TIER2_FIELDS) <= set(record["tier2"])
    code = records["intelligence-packs"]["tier2"]["code"]
    assert code["parameters"]["FACT_PROBABILITY"] == FACT_PROBABILITY
    assert code["summary"].startswith("Assemble a pack's statements")


def test_docs_show_the_register_as_generated():
    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == records_markdown().strip()


def test_read_registry_refuses_an_entry_missing_an_atrs_field(monkeypatch, tmp_path):
    text = yaml.safe_dump({"algorithms": [{"name": "x", "title": "X", "module": "peel.intel.assemble",
                                           "review": {"domain": "intelligence", "kinds": ["k"]},
                                           "tier1": {"description": "d"}, "tier2": {}}]})

    class Files:
        def __truediv__(self, name):
            return self

        def read_text(self, encoding):
            return text

    monkeypatch.setattr(registry.resources, "files", lambda package: Files())
    read_registry.cache_clear()
    try:
        with pytest.raises(RegistryError, match="entry 1 \\(x\\): missing tier1.organisation"):
            read_registry()
    finally:
        read_registry.cache_clear()


def test_read_registry_changes_end_at_the_code_s_current_parameters():
    """A parameter changed in the code without a dated line in the register fails here."""
    for algorithm in read_registry():
        if algorithm.parameters:
            assert algorithm.changes, f"{algorithm.name}: parameters but no changes entry"
            assert algorithm.changes[-1].parameters == algorithm.parameter_values(), algorithm.name


def test_read_registry_registers_the_domains_algorithms_with_their_review_kinds():
    kinds = {a.name: (a.review_domain, a.review_kinds) for a in read_registry()}
    assert kinds["firearms-safeguarding"] == ("firearms", ("safeguarding",))
    assert kinds["dvds-recognition"] == ("dvds", ("right_to_know_candidate",))
    assert kinds["control-room-staffing"] == ("control_room", ("staffing",))
    assert kinds["control-room-forecast"][0] == "control_room"
    assert kinds["event-risk-assessments"] == ("intelligence", ("event_assessment",))
