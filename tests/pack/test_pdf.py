"""The pack is an accessible document (the PCC publishes it): a tagged PDF whose structure
tree holds its headings and tables, with its language and title, and each chart's
description as the figure's alternative text."""

from collections import Counter
from datetime import date

import pikepdf
import pytest

from peel.pack.agenda import read_agenda
from peel.pack.build import build_pack

# The meeting's items with charts: the first (one chart) and leadership and wellbeing (four).
# The whole agenda's pack is built in test_build.py; the other items' sections take longer to
# build and are tagged by the same templates.
CHARTED = ("Burglary", "Leadership and wellbeing")


@pytest.fixture(scope="module")
def pack(county_demo, tmp_path_factory):
    # A laxer test than the declared one, so that the demo has months marked unusually high:
    # these tests are about how a marked month is shown, not which months are marked.
    agenda = [item for item in read_agenda() if item.title in CHARTED]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("peel.measures.stats.EXCEEDANCE_ALPHA", 0.5)
        return build_pack(county_demo.con, date(2026, 3, 1), tmp_path_factory.mktemp("pack"), agenda)


def walk(element, found: Counter, alternatives: list[str]) -> None:
    """Count the structure elements under ``element`` by type, and collect figures' Alt texts."""
    if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
        return
    found[str(element.S)] += 1
    if element.S == "/Figure" and "/Alt" in element:
        alternatives.append(str(element.Alt))
    children = element.get("/K")
    for child in children if isinstance(children, pikepdf.Array) else [children]:
        walk(child, found, alternatives)


def test_build_pack_writes_a_tagged_pdf_with_headings_tables_and_chart_descriptions(pack):
    with pikepdf.open(pack.pdf) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == "Performance pack: March 2026"
        assert root.ViewerPreferences.DisplayDocTitle is True  # readers show the title, not the file name
        assert b'pdfuaid:part="1"' in root.Metadata.read_bytes()  # it claims PDF/UA-1
        found, alternatives = Counter(), []
        tree = root.StructTreeRoot.K
        for element in tree if isinstance(tree, pikepdf.Array) else [tree]:
            walk(element, found, alternatives)

    assert found["/H1"] == 1 and found["/H2"] >= 4 and found["/H3"] >= 6  # cover, agenda, 2 items
    assert found["/Table"] >= 2 and found["/TH"] > 0 and found["/TD"] > 0  # figures and chart data
    assert found["/Figure"] == 5 and len(alternatives) == 5  # item 1's chart and item 2's four, each described
    assert alternatives[0].startswith("Chart of residential burglary recorded per month from ")
    assert alternatives[2].startswith("Chart of working days lost per FTE each month, force-wide, from March 2024 ")
    assert "Months marked unusually high for their season: " in alternatives[0]


def test_build_pack_gives_each_chart_its_data_as_a_table(pack):
    html = pack.html.read_text()
    table = html.split('<table class="chart-data">')[1].split("</table>")[0]
    assert "The chart's data: crimes recorded and expected per month" in table
    assert table.count('<th scope="row">') >= 8  # four years and a quarter, recorded and expected
    assert "*</td>" in table  # an unusually high month, marked as the chart marks it
