"""Build the meeting pack for a month: cover, one part per agenda item, footer snapshot.

The agenda (read by ``agenda.py`` from the PCC's file) lists each item's sections; each
section builds and renders itself (``peel.section``), so this module names no domain. Every section gives the day its
own data runs to; the cover's snapshot date is the latest of them. A section with no data
says what it needs; an item not built yet says "not yet available"; neither is left out.
The HTML is turned into a PDF by WeasyPrint, with charts already drawn as SVG, so the PDF
needs no JavaScript and no network. The PDF is tagged (PDF/UA-1), since the PCC publishes
it: its language and title, its headings and tables in its structure tree, and each chart's
description as the figure's alternative text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from markupsafe import Markup

from peel import __version__
from peel.casebook import MeetingActionView, actions_for_pack, transaction
from peel.measures.periods import format_month
from peel.pack.agenda import check_agenda, read_agenda
from peel.render import render_template
from peel.section import AgendaItem, Placeholder, Section
from peel.warehouse import snapshot
from peel.warehouse.database import get_force_name

UK_TIME = ZoneInfo("Europe/London")
NOT_YET = "Not yet available: peel does not yet produce this section."
# The accessible PDF standard WeasyPrint writes: tagged, with language, title and alternative texts.
PDF_VARIANT = "pdf/ua-1"


@dataclass
class BuiltSection:
    title: str
    available: bool
    html: Markup
    reason: str = ""
    data_to: date | None = None

    @property
    def data_to_label(self) -> str:
        return f"data to {self.data_to:%d %B %Y}" if self.data_to else ""


@dataclass
class BuiltItem:
    title: str
    sections: list[BuiltSection]

    @property
    def available(self) -> bool:
        return any(s.available for s in self.sections)


@dataclass
class PackResult:
    folder: Path
    html: Path
    pdf: Path
    pages: int
    snapshot: dict  # the data it was built from (``peel.warehouse.snapshot``)
    # SHA-256 of every section as rendered: the figures, charts and notes, without the
    # cover's build time or the actions (casebook state, not data). A rebuild of the same
    # month from the same data has the same.
    figures_checksum: str = ""

    def file_checksums(self) -> dict[str, str]:
        """SHA-256 of pack.html and pack.pdf as written (each holds its build time)."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (self.html, self.pdf)}


def build_section(con: duckdb.DuckDBPyConnection, month: date, part: Section | Placeholder,
                  as_of: date | None = None) -> BuiltSection:
    """One section, rendered; a placeholder or a section without data says why it is empty.
    With ``as_of``, nothing after that day counts."""
    if isinstance(part, Placeholder):
        return BuiltSection(part.title, False, Markup(""), f"{NOT_YET} {part.reason}")
    data_to = part.get_data_to(con)
    if data_to is None:
        return BuiltSection(part.title, False, Markup(""), f"No data loaded: this section needs {part.needs}.")
    if as_of is not None:
        data_to = min(data_to, as_of)
    return BuiltSection(part.title, True, Markup(part.render(part.build(con, month, as_of))), data_to=data_to)


def build_items(con: duckdb.DuckDBPyConnection, month: date, agenda: list[AgendaItem],
                as_of: date | None = None) -> list[BuiltItem]:
    check_agenda(con, agenda)
    items = [BuiltItem(item.title, [build_section(con, month, part, as_of) for part in item.sections])
             for item in agenda]
    if not any(item.available for item in items):
        raise ValueError(
            "The warehouse holds no data any agenda item reads. Load data first: "
            "'peel demo-data' or 'peel ingest police-uk PATH'."
        )
    return items


def read_pack_actions(month: date, casebook_url: str | None = None) -> list[MeetingActionView]:
    """The actions the pack for ``month`` opens with, from the casebook (default: the
    configured one): the earlier meetings' open ones and those done since the previous
    meeting (no personal data)."""
    with transaction(casebook_url, readonly=True) as session:
        return actions_for_pack(session, month)


def build_pack(
    con: duckdb.DuckDBPyConnection, month: date, out_dir: Path, agenda: list[AgendaItem] | None = None,
    actions: Sequence[MeetingActionView] = (), as_of: date | None = None,
) -> PackResult:
    """Write pack.html and pack.pdf for the month into ``out_dir`` and return their paths.
    ``agenda`` defaults to the seed meeting's (``read_agenda()``); ``actions`` (from
    ``read_pack_actions``) open the pack. With ``as_of``, nothing after that day counts
    (``con`` should read the generation as it stood then: ``find_generation``)."""
    import weasyprint  # imported here: it loads system libraries, needed only for the PDF

    items = build_items(con, month, read_agenda() if agenda is None else agenda, as_of)
    as_of = max(s.data_to for item in items for s in item.sections if s.data_to)
    snap = snapshot(con) | {"as_of_label": f"data to {as_of:%d %B %Y}"}
    css = (resources.files("peel.pack") / "style.css").read_text(encoding="utf-8")
    html = render_template(
        "pack/pack.html.j2",
        title=f"Performance pack: {format_month(month)}",
        force=get_force_name(con) or "",
        month_label=format_month(month),
        snapshot=snap,
        footer_short=f"peel pack {month:%Y-%m}; {snap['as_of_label']}; batch {snap['latest_batch']}",
        items=items,
        actions=actions,
        css=Markup(css),
        version=__version__,
        generated_on=datetime.now(UK_TIME).strftime("%d %B %Y %H:%M %Z"),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = out_dir / "pack.html", out_dir / "pack.pdf"
    html_path.write_text(html, encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=str(out_dir)).render()
    document.write_pdf(pdf_path, pdf_variant=PDF_VARIANT)
    figures = "".join(s.html for item in items for s in item.sections)
    return PackResult(out_dir, html_path, pdf_path, len(document.pages), snap,
                      hashlib.sha256(figures.encode("utf-8")).hexdigest())
