"""generate_demo_force hands its frames to the persons generator (peel.demo.persons) as agreed,
leaves it out when asked, and keeps what it loaded when the generator fails."""

from __future__ import annotations

import pytest

from peel.demo import generate_demo_force
from peel.warehouse import connect
from peel.warehouse.sql import quote_identifier

TINY = {"size": 0.05, "start": "2025-10", "end": "2026-03", "as_of": "2026-03-11"}


def _replace_persons_generator(monkeypatch, generate, load) -> None:
    monkeypatch.setattr("peel.demo.persons.generate_person_extracts", generate)
    monkeypatch.setattr("peel.demo.persons.load_person_extracts", load)


def _columns(con, table):
    rows = con.execute(f"DESCRIBE {quote_identifier(table)}").fetchall()
    return [r[0] for r in rows if r[0] != "batch_id"]


def test_generate_demo_force_passes_warehouse_shaped_frames_to_the_persons_generator(
    peel_home, monkeypatch
):
    calls = {}

    def generate_person_extracts(crimes, arrests, areas, out_dir, seed, **options):
        calls["generate"] = (crimes, arrests, areas, out_dir, seed)
        return {"records": 1}

    def load_person_extracts(con, out_dir, **options):
        calls["load"] = out_dir
        return {"loaded": 1}

    _replace_persons_generator(monkeypatch, generate_person_extracts, load_person_extracts)
    con = connect()
    summary = generate_demo_force(con, seed=11, **TINY)
    crimes, arrests, areas, out_dir, seed = calls["generate"]
    assert seed == 11 and out_dir == calls["load"] == peel_home / "demo"
    assert list(crimes.columns) == _columns(con, "crime")
    assert list(arrests.columns) == _columns(con, "arrest")
    assert list(areas.columns) == _columns(con, "area")
    assert len(crimes) == summary.counts["crime"] and len(arrests) == summary.counts["arrest"]
    assert summary.persons == {"generated": {"records": 1}, "loaded": {"loaded": 1}}


def test_generate_demo_force_reports_the_persons_steps_on_the_callers_bar(peel_home, monkeypatch):
    from rich.progress import Progress

    bars = []

    def generate_person_extracts(*args, progress=None, **options):
        bars.append(progress)
        return {}

    def load_person_extracts(con, out_dir, progress=None, **options):
        bars.append(progress)
        return {}

    _replace_persons_generator(monkeypatch, generate_person_extracts, load_person_extracts)
    bar = Progress(disable=True)
    generate_demo_force(connect(), seed=11, progress=bar, **TINY)
    assert bars == [bar, bar]
    from peel.demo.domains import GENERATORS

    steps = 5 + len(GENERATORS)  # areas, crimes, two loads, persons, then one per domain generator
    assert [(t.description, t.completed, t.total) for t in bar.tasks] == [
        ("Demo force ready", steps, steps)
    ]


def test_generate_demo_force_leaves_persons_out_when_asked(peel_home, monkeypatch):
    def fail(*args, **options):
        pytest.fail("the persons generator ran although persons=False")

    _replace_persons_generator(monkeypatch, fail, fail)
    summary = generate_demo_force(connect(), seed=11, persons=False, **TINY)
    assert summary.persons == {}


def test_generate_demo_force_keeps_crimes_and_truth_when_the_persons_generator_fails(
    peel_home, monkeypatch
):
    def fail(*args, **options):
        raise RuntimeError("persons generator broke")

    _replace_persons_generator(monkeypatch, fail, fail)
    con = connect()
    with pytest.raises(RuntimeError, match="persons generator broke"):
        generate_demo_force(con, seed=11, **TINY)
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] > 0
    assert (peel_home / "demo" / "truth" / "effects.json").exists()
