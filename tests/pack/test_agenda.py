"""Adding an agenda item is one folder and one line in the agenda: a dummy domain, made the
way docs/pack.md says, appears in the pack with its own data date, template and measures."""

from datetime import date

import pytest

import peel
from peel.measures import get_measures, registry
from peel.pack.agenda import AGENDA
from peel.pack.build import build_pack
from peel.section import AgendaItem, Placeholder, Section

DUMMY_SECTION = '''
from datetime import date

from peel.render import render_template
from peel.section import Section


def get_data_to(con):
    return date(2026, 3, 9)


def build(con, month):
    return {"visits": 42, "month": month}


def render(built):
    return render_template("dummy_item/section.html.j2", built=built)


SECTION = Section(
    domain="dummy_item",
    title="Dummy item",
    needs="dummy records",
    get_data_to=get_data_to,
    build=build,
    render=render,
)
'''

DUMMY_MEASURES = '''
measures:
  - id: dummy_visits
    domain: dummy_item
    name: Dummy visits
    definition: The number of dummy visits in the month.
    unit: visits
    good: higher
    counting_rule: One visit counts once.
    comparison: none
'''


@pytest.fixture
def dummy_domain(tmp_path, monkeypatch):
    """One new folder, peel/dummy_item/, with a section, a template and a measure."""
    folder = tmp_path / "dummy_item"
    (folder / "templates").mkdir(parents=True)
    (folder / "__init__.py").write_text('"""A dummy agenda item."""\n')
    (folder / "section.py").write_text(DUMMY_SECTION)
    (folder / "measures.yaml").write_text(DUMMY_MEASURES)
    (folder / "templates" / "section.html.j2").write_text(
        "<p>Dummy visits in {{ built.month.strftime('%B %Y') }}: {{ built.visits }}.</p>\n"
    )
    monkeypatch.setattr(peel, "__path__", [*peel.__path__, str(tmp_path)])
    get_measures.cache_clear()
    yield
    get_measures.cache_clear()


def test_build_pack_shows_a_new_domain_added_by_one_folder_and_one_agenda_line(
    dummy_domain, county_demo, tmp_path
):
    from peel.dummy_item.section import SECTION as DUMMY

    agenda = [*AGENDA, AgendaItem("Dummy item", [DUMMY])]  # the one line
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", agenda).html.read_text()

    dummy = html.split("Item 6: Dummy item")[1]
    assert "Figures data to 09 March 2026." in dummy
    assert "Dummy visits in March 2026: 42." in dummy
    burglary = html.split("Item 1: Burglary")[1].split("Item 2:")[0]
    assert "Figures data to 11 March 2026." in burglary
    assert "Dummy visits" not in burglary  # a section shows its own domain's measures only
    assert "dummy_visits" in registry.render_measures_markdown()  # and the docs page lists it
    assert get_measures("dummy_item")["dummy_visits"].domain == "dummy_item"


def test_build_pack_says_what_a_section_needs_when_it_has_no_data(county_demo, tmp_path):
    empty = Section("nothing", "Empty item", "records nobody has loaded", lambda con: None,
                    build=lambda con, month: pytest.fail("built without data"), render=str)
    agenda = [AGENDA[0], AgendaItem("Empty item", [empty, Placeholder("Later part", "Planned.")])]
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", agenda).html.read_text()

    item = html.split("Item 2: Empty item")[1]
    assert "<h3>Empty item</h3>" in item and "<h3>Later part</h3>" in item
    assert "No data loaded: this section needs records nobody has loaded." in item
    assert "Not yet available: peel does not yet produce this section. Planned." in item


def test_build_pack_refuses_when_no_section_has_data(county_demo, tmp_path):
    empty = Section("nothing", "Empty item", "records nobody has loaded", lambda con: None,
                    build=lambda con, month: None, render=str)
    with pytest.raises(ValueError, match="Load data first"):
        build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", [AgendaItem("Empty", [empty])])
