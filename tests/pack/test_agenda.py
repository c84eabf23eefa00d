"""The agenda is the PCC's: a YAML file naming each item's section kind and parameters.
Adding a kind is one folder and one line in the registry: a dummy domain, made the way
docs/pack.md says, appears in the pack with its own data date, template and measures."""

from datetime import date

import pytest

import peel
from peel.measures import get_measures, registry
from peel.pack import agenda as agenda_module
from peel.pack.agenda import AgendaError, read_agenda
from peel.pack.build import build_pack
from peel.section import AgendaItem, Placeholder, Section, SectionKind

DUMMY_SECTION = '''
from datetime import date

from peel.render import render_template
from peel.section import Parameter, SectionKind


def get_data_to(con):
    return date(2026, 3, 9)


def build(con, month, visits):
    return {"visits": visits, "month": month}


def render(built):
    return render_template("dummy_item/section.html.j2", built=built)


KIND = SectionKind(
    name="dummy_visits",
    domain="dummy_item",
    description="Dummy visits in the month.",
    needs="dummy records",
    get_data_to=get_data_to,
    build=build,
    render=render,
    parameters=(Parameter("visits", "how many visits to show", 42),),
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

AGENDA_WITH_DUMMY = '''
items:
  - title: Burglary
    kind: crime_performance
    crime_type: [residential-burglary, burglary]
  - title: Dummy item
    kind: dummy_visits
'''


@pytest.fixture
def dummy_domain(tmp_path, monkeypatch):
    """One new folder, peel/dummy_item/, with a section kind, a template and a measure."""
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


def write(tmp_path, text: str):
    path = tmp_path / "agenda.yaml"
    path.write_text(text)
    return path


def test_build_pack_shows_a_new_domain_added_by_one_folder_and_one_registry_line(
    dummy_domain, county_demo, tmp_path, monkeypatch
):
    from peel.dummy_item.section import KIND as DUMMY

    monkeypatch.setitem(agenda_module.KINDS, DUMMY.name, DUMMY)  # the one line
    items = read_agenda(write(tmp_path, AGENDA_WITH_DUMMY))
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", items).html.read_text()

    dummy = html.split("Item 2: Dummy item")[1]
    assert "Figures data to 09 March 2026." in dummy
    assert "Dummy visits in March 2026: 42." in dummy  # the parameter's default
    burglary = html.split("Item 1: Burglary")[1].split("Item 2:")[0]
    assert "Figures data to 11 March 2026." in burglary
    assert "Dummy visits" not in burglary  # a section shows its own domain's measures only
    assert "dummy_visits" in registry.render_measures_markdown()  # and the docs page lists it
    assert get_measures("dummy_item")["dummy_visits"].domain == "dummy_item"


def test_read_agenda_default_is_the_seed_meetings_five_items():
    items = read_agenda()
    assert [item.title for item in items] == [
        "Burglary", "Live facial recognition", "Leadership and wellbeing", "Firearms licensing",
        "Use of artificial intelligence"]
    burglary = items[0].sections[0]
    assert isinstance(burglary, Section) and burglary.kind.name == "crime_performance"
    assert burglary.arguments() == {"crime_type": ["residential-burglary", "burglary"], "area": None}
    # Each agenda item's domain, once built, gives its section; the rest stay planned.
    domains = [[s.domain for s in item.sections] for item in items]
    assert domains[:4] == [["crime"], ["lfr"], ["workforce"], ["firearms"]]
    assert domains[4] == ["dvds", "oversight", "control_room"]


def test_read_agenda_refuses_an_unknown_kind_naming_the_file_item_and_kinds(tmp_path):
    path = write(tmp_path, "items:\n  - title: Robbery\n    kind: crime_performanse\n")
    with pytest.raises(AgendaError) as refused:
        read_agenda(path)
    message = str(refused.value)
    assert f"{path}, item 1 (Robbery): unknown section kind 'crime_performanse'" in message
    assert "crime_performance (crime_type (" in message and "'planned: WHY'" in message


def test_read_agenda_refuses_an_unknown_parameter_listing_the_kinds_parameters(tmp_path):
    path = write(tmp_path, "items:\n  - title: Burglary\n    kind: crime_performance\n    district: Corvedon\n")
    with pytest.raises(AgendaError, match=r"item 1 \(Burglary\): crime_performance takes no parameter "
                                          r"district\. Its parameters: crime_type .*; area "):
        read_agenda(path)


@pytest.mark.parametrize("text, expected", [
    ("items: []\n", "expected 'items:', a list of agenda items"),
    ("items:\n  - kind: crime_performance\n", r"item 1: expected a 'title'"),
    ("items:\n  - title: A\n    sections: []\n", r"item 1 \(A\): 'sections' must be a non-empty list"),
    ("items:\n  - title: A\n    planned: Later.\n    area: X\n", r"a planned section has only"),
    ("items: [\n", "is not valid YAML"),
])
def test_read_agenda_refuses_a_malformed_file_saying_what_is_expected(tmp_path, text, expected):
    with pytest.raises(AgendaError, match=expected):
        read_agenda(write(tmp_path, text))


@pytest.mark.parametrize("params, expected", [
    ("crime_type: burglery", (r"item 1 \(Odd\): crime_type: No crime type 'burglery' in the warehouse\. "
                              r"Known: .*shoplifting")),
    ("area: Atlantis", r"item 1 \(Odd\): area: No area 'Atlantis'\. Give a force, district or neighbourhood"),
    ("crime_type: 7", r"crime_type: expected a crime type, such as shoplifting, or a list of them, not 7"),
])
def test_build_pack_refuses_a_crime_type_or_area_the_warehouse_does_not_have(
    county_demo, tmp_path, params, expected
):
    items = read_agenda(write(tmp_path, f"items:\n  - title: Odd\n    kind: crime_performance\n    {params}\n"))
    with pytest.raises(AgendaError, match=expected):
        build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", items)
    assert not (tmp_path / "pack").exists()  # refused before anything was written


EMPTY_KIND = SectionKind("nothing", "nothing", "Nothing at all.", "records nobody has loaded",
                         get_data_to=lambda con: None, build=lambda con, month: pytest.fail("built without data"),
                         render=str)


def test_build_pack_says_what_a_section_needs_when_it_has_no_data(county_demo, tmp_path):
    agenda = [read_agenda()[0], AgendaItem("Empty item", [Section(EMPTY_KIND, "Empty item"),
                                                          Placeholder("Later part", "Planned.")])]
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", agenda).html.read_text()

    item = html.split("Item 2: Empty item")[1]
    assert "<h3>Empty item</h3>" in item and "<h3>Later part</h3>" in item
    assert "No data loaded: this section needs records nobody has loaded." in item
    assert "Not yet available: peel does not yet produce this section. Planned." in item


def test_build_pack_refuses_when_no_section_has_data(county_demo, tmp_path):
    with pytest.raises(ValueError, match="Load data first"):
        build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack",
                   [AgendaItem("Empty", [Section(EMPTY_KIND, "Empty")])])
