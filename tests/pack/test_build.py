"""The meeting pack built from the demo force: HTML and PDF, every agenda item present."""

from datetime import date

import pytest

from peel.crime import section
from peel.measures import get_measures
from peel.pack.agenda import read_agenda
from peel.pack.build import build_pack
from peel.section import Placeholder


@pytest.fixture(scope="module")
def pack(county_demo, tmp_path_factory):
    return build_pack(county_demo.con, date(2026, 3, 1), tmp_path_factory.mktemp("pack"))


def test_build_pack_writes_html_and_a_real_pdf(pack):
    assert pack.html.exists()
    pdf = pack.pdf.read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    assert pack.pages >= 6  # cover, item 1 over pages, one page per later item


def test_build_pack_has_every_agenda_item_and_marks_unbuilt_ones(pack):
    html = pack.html.read_text()
    for title in ("Burglary", "Live facial recognition", "Leadership and wellbeing", "Firearms licensing", "Use of artificial intelligence"):
        assert f": {title}</h2>" in html
    planned = [s for item in read_agenda() for s in item.sections if isinstance(s, Placeholder)]
    assert html.count("Not yet available") == len(planned)


def test_build_pack_shows_each_figure_with_its_definition_chart_and_snapshot(pack, county_demo):
    html = pack.html.read_text()
    section = html.split("Item 1: Burglary")[1].split("Item 2:")[0]
    assert "Residential burglary, Chalkshire Constabulary" in section
    assert "<svg" in section  # the chart, rendered to SVG: the PDF needs no JavaScript
    for measure in get_measures("crime").values():
        assert measure.name in section
    assert "March 2026 to 11 March" in section
    assert "No specific trends or patterns emerging" in section
    assert "Diwali" in section
    latest = county_demo.con.execute("SELECT max(batch_id) FROM ingest_batch").fetchone()[0]
    assert f"data to 11 March 2026; batch {latest}" in html


def test_past_spikes_are_dated_from_the_data_start_when_the_chart_shows_less(county_demo, monkeypatch):
    monkeypatch.setattr(section, "CHART_MONTHS", 24)
    monkeypatch.setattr("peel.measures.stats.EXCEEDANCE_ALPHA", 0.5)  # months marked, to show them
    burglary = read_agenda()[0].sections[0]
    html = burglary.render(burglary.build(county_demo.con, date(2026, 3, 1)))
    assert "Months unusually high for their season since January 2022:" in html
    assert "2022 in " in html  # a past spike before the chart's first month (March 2024)


def test_build_pack_times_prevention_advice_before_the_next_diwali(pack):
    html = pack.html.read_text()
    assert "Diwali (08 November 2026), publish from 18 October" in html


def test_build_pack_on_police_uk_data_says_what_it_cannot_compare(tmp_path, police_uk_dir):
    """data.police.uk: no subtype, month-only dates, 13 months: the pack says so, not fails."""
    from peel.sources.police_uk import ingest_police_uk
    from peel.warehouse import connect

    con = connect(tmp_path / "warehouse.duckdb")
    ingest_police_uk(con, [police_uk_dir])
    pack = build_pack(con, date(2022, 1, 1), tmp_path / "pack")
    html = pack.html.read_text()
    assert "Burglary, Hertfordshire Constabulary" in html
    assert "No comparison: the data starts in January 2021" in html
    assert "Pattern detection not run: the data has 13 months" in html
    assert "Not measured: rises around calendar events need the day each crime was recorded" in html
    assert "Arrests for burglary January 2022: not available: no custody records are loaded" in html
    assert "Solve rate January 2022: partial: 3.0% (11 solved of 372)" in html  # rounded half away from zero
    assert "No location 74; Outside the force area" in html
    assert "<svg" in html and pack.pdf.read_bytes().startswith(b"%PDF-")


def test_build_pack_follows_an_agenda_of_two_other_crime_types(county_demo, tmp_path):
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text("""
items:
  - title: Shoplifting
    kind: crime_performance
    crime_type: shoplifting
  - title: Vehicle crime in Corvedon
    kind: crime_performance
    crime_type: vehicle-crime
    area: Corvedon
""")
    pack = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", read_agenda(agenda))
    html = pack.html.read_text()

    shoplifting = html.split("Item 1: Shoplifting")[1].split("Item 2:")[0]
    vehicle = html.split("Item 2: Vehicle crime in Corvedon")[1]
    assert "Shoplifting, Chalkshire Constabulary." in shoplifting
    assert "Vehicle crime, Corvedon." in vehicle
    assert "Burglary" not in html.split("<footer")[0].replace("burglary", "")  # the default item is gone
    for part in (shoplifting, vehicle):
        assert "<svg" in part and "Chart of " in part and "The chart's data" in part
    assert pack.pdf.read_bytes().startswith(b"%PDF-")
