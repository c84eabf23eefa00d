"""``peel pack --agenda``: a mistake in the PCC's agenda file is refused before any work,
naming the file, the item and what is expected."""

from __future__ import annotations

from .test_actions import run_peel


def test_pack_refuses_an_agenda_with_an_unknown_kind_before_opening_the_warehouse(peel_home, tmp_path):
    agenda = tmp_path / "march.yaml"
    agenda.write_text("items:\n  - title: Robbery\n    kind: robbery_performance\n")
    refused = run_peel("pack", "--month", "2026-03", "--agenda", str(agenda))
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())
    assert f"{agenda}, item 1 (Robbery): unknown section kind 'robbery_performance'" in message
    assert "crime_performance (crime_type" in message
    assert not (peel_home / "warehouse.duckdb").exists()
