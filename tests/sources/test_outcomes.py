"""The police.uk outcome mapping file and its copy in the warehouse."""

from __future__ import annotations

import csv

from peel.docgen import get_section
from peel.sources.docs import DOC
from peel.sources.outcomes import load_outcome_mapping, render_mapping_table, sync_outcome_mapping
from peel.sources.police_uk import render_crime_types_table
from peel.warehouse import connect, open_batch

STALE = "docs/ingest.md is out of date: run python -m peel.sources.docs"

# The wordings the brief names as positive ("solved"), court stages included.
POSITIVE_WORDINGS = {
    "Suspect charged",
    "Suspect charged as part of another case",
    "Offender given a caution",
    "Offender given a penalty notice",
    "Offender given penalty notice",
    "Offender given a drugs possession warning",
    "Local resolution",
    "Awaiting court outcome",
    "Court result unavailable",
    "Court case unable to proceed",
    "Defendant sent to Crown Court",
    "Defendant found not guilty",
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender given conditional discharge",
    "Offender given absolute discharge",
    "Offender ordered to pay compensation",
    "Offender deprived of property",
    "Offender otherwise dealt with",
}


def _wordings_in_real_files(folder) -> set[str]:
    found = set()
    for path in sorted(folder.glob("*-outcomes.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            found.update(row["Outcome type"] for row in csv.DictReader(f))
    for path in sorted(folder.glob("*-street.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            found.update(row["Last outcome category"] for row in csv.DictReader(f))
    found.discard("")
    return found


def test_load_outcome_mapping_covers_every_wording_in_the_real_files(police_uk_dir):
    wordings = _wordings_in_real_files(police_uk_dir)
    mapped = set(load_outcome_mapping()["outcome_type"])
    assert wordings, "no outcome wordings read from the real files"
    assert wordings - mapped == set()


def test_load_outcome_mapping_marks_exactly_the_home_office_positive_outcomes():
    mapping = load_outcome_mapping()
    positive = set(mapping.loc[mapping["is_positive"], "outcome_type"])
    assert positive == POSITIVE_WORDINGS
    assert mapping["outcome_type"].is_unique


def test_load_outcome_mapping_returns_a_copy_callers_cannot_spoil():
    first = load_outcome_mapping()
    first.loc[0, "outcome_group"] = "changed"
    assert load_outcome_mapping().loc[0, "outcome_group"] != "changed"


def test_sync_outcome_mapping_makes_the_warehouse_table_equal_to_the_file(peel_home):
    con = connect()
    con.execute(
        "INSERT INTO outcome_mapping VALUES ('Wording since withdrawn', 'Old', NULL, false, 'x')"
    )
    with open_batch(con, "test"):
        sync_outcome_mapping(con)
    with open_batch(con, "test"):
        sync_outcome_mapping(con)  # twice: still one row per wording
    table = con.execute(
        "SELECT outcome_type, outcome_group, ho_outcome_code, is_positive, explanation "
        "FROM outcome_mapping ORDER BY outcome_type"
    ).fetchall()
    mapping = load_outcome_mapping().sort_values("outcome_type")
    expected = [
        (r.outcome_type, r.outcome_group, r.ho_outcome_code, bool(r.is_positive), r.explanation)
        for r in mapping.itertuples()
    ]
    assert table == expected


def test_render_mapping_table_is_the_ingest_docs_section():
    docs = DOC.read_text(encoding="utf-8")
    table = render_mapping_table()
    assert get_section(docs, "outcome-mapping") == table, STALE
    for wording in load_outcome_mapping()["outcome_type"]:
        assert f"| {wording} |" in table


def test_render_crime_types_table_is_the_ingest_docs_section():
    docs = DOC.read_text(encoding="utf-8")
    assert get_section(docs, "crime-types") == render_crime_types_table(), STALE
