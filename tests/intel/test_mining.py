"""mine_text: the phone numbers, vehicle marks, postcodes and names a report mentions, by rule
and with confidence; on the demo force, every mention planted in a report's text is found."""

from __future__ import annotations

import pandas as pd

from peel.intel.mining import mine_text
from peel.warehouse import connect

TEXT = ("Source reports that Kate Louise HOPKINS uses vehicle AB12 CDE and GH34JKL. Contact number "
        "+44 7914 732274, also (07914) 732 274. Frequents the area of CK8 6TT.")


def test_mine_text_finds_each_kind_with_its_rule_and_confidence():
    found = [(m.kind, m.value, m.confidence) for m in mine_text(TEXT)]
    assert found == [
        ("name", "KATE LOUISE HOPKINS", 0.7),
        ("vehicle", "AB12CDE", 0.9),
        ("vehicle", "GH34JKL", 0.8),
        ("phone", "07914732274", 0.95),
        ("phone", "07914732274", 0.95),
        ("postcode", "CK8 6TT", 0.9),
    ]


def test_mine_text_places_each_mention_where_it_is_written():
    for m in mine_text(TEXT):
        assert TEXT[m.start:m.end] == m.text


def test_mine_text_does_not_read_a_mark_or_postcode_as_a_name():
    assert [m.kind for m in mine_text("Seen in CK1 5JP with AB12 CDE.")] == ["postcode", "vehicle"]


def test_mine_text_reads_postcodes_as_people_type_them_and_surnames_alone_with_less_confidence():
    found = [(m.kind, m.value, m.rule) for m in mine_text("TURNER was seen at ck5  8ag.")]
    assert found == [("name", "TURNER", "name, SURNAME alone"), ("postcode", "CK5 8AG", "postcode, full")]


def _normalised(kind: str, value: str) -> str:
    """A planted value as the miner normalises it (marks and postcodes compared without spaces)."""
    return {"vehicle": value.replace(" ", ""), "name": value.upper(),
            "postcode": value.upper().replace(" ", "")}.get(kind, value)


def test_mine_text_finds_every_mention_planted_in_the_demo_reports(linked_demo):
    planted = pd.read_parquet(linked_demo.truth / "intel_mentions.parquet")
    con = connect(linked_demo.warehouse, read_only=True)
    texts = dict(con.execute("SELECT event_key, report_text FROM intel_report").fetchall())
    con.close()
    missed = []
    for row in planted.itertuples():
        values = {(m.kind, m.value.replace(" ", "") if m.kind == "postcode" else m.value)
                  for m in mine_text(texts[row.event_key])}
        if row.kind == "phone":
            values = {(k, v) for k, v in values if k == "phone"}
            ok = any(v[-10:] == "".join(c for c in row.value if c.isdigit())[-10:] for _, v in values)
        else:
            ok = (row.kind, _normalised(row.kind, row.value)) in values
        if not ok:
            missed.append((row.kind, row.value))
    by_kind = planted["kind"].value_counts()
    assert set(by_kind.index) == {"name", "phone", "vehicle", "postcode"}
    assert missed == []
