"""Build the meeting pack for a month: cover, one section per agenda item, footer snapshot.

Sections read the warehouse (and later the casebook) and render through Jinja templates in
``templates/``; charts are Vega-Lite specs in ``charts/`` rendered to SVG by vl-convert, so
the PDF (WeasyPrint) needs no JavaScript. An agenda item without a section yet is shown as
"not yet available", never left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import jinja2
import vl_convert
from markupsafe import Markup

from peel import __version__
from peel.crime import get_crime_section
from peel.measures import get_measures
from peel.measures.compute import get_data_as_of
from peel.measures.periods import format_month
from peel.measures.scope import get_force_name
from peel.warehouse import snapshot

UK_TIME = ZoneInfo("Europe/London")


@dataclass
class AgendaItem:
    title: str
    render: Callable[[duckdb.DuckDBPyConnection, date], str] | None
    reason: str = ""


@dataclass
class PackResult:
    folder: Path
    html: Path
    pdf: Path
    pages: int


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("peel.pack", "templates"),
        autoescape=jinja2.select_autoescape(["j2", "html"]),
        undefined=jinja2.StrictUndefined,
    )


def render_chart(name: str, values: list[dict]) -> Markup:
    """A Vega-Lite spec from charts/ with its data filled in, as inline SVG."""
    spec = json.loads((resources.files("peel.pack") / "charts" / f"{name}.vl.json").read_text(encoding="utf-8"))
    spec["data"] = {"values": values}
    return Markup(vl_convert.vegalite_to_svg(spec))


def render_crime_section(con: duckdb.DuckDBPyConnection, month: date) -> str:
    section = get_crime_section(con, month)
    return _environment().get_template("section_crime.html.j2").render(
        section=section,
        chart_svg=render_chart("monthly_counts", section.series),
        measures=[m for m in get_measures().values()],
    )


AGENDA = [
    AgendaItem("Burglary", render_crime_section),
    AgendaItem("Live facial recognition", None, "Deployment register, alerts and outcomes are planned."),
    AgendaItem("Leadership and wellbeing", None, "Daily dashboard, training, sickness and assaults on staff are planned."),
    AgendaItem("Firearms licensing", None, "Renewals backlog and forecast are planned."),
    AgendaItem("Use of artificial intelligence", None, "Linkage, Clare's Law recognition and the AI-oversight figures are planned."),
]


def build_pack(con: duckdb.DuckDBPyConnection, month: date, out_dir: Path) -> PackResult:
    """Write pack.html and pack.pdf for the month into ``out_dir`` and return their paths."""
    import weasyprint  # imported here: it loads system libraries, needed only for the PDF

    as_of = get_data_as_of(con)
    snap = snapshot(con) | {"as_of_label": f"data to {as_of:%d %B %Y}"}
    items = []
    for item in AGENDA:
        html = Markup(item.render(con, month)) if item.render else ""
        items.append({"title": item.title, "available": item.render is not None, "html": html, "reason": item.reason})
    css = (resources.files("peel.pack") / "style.css").read_text(encoding="utf-8")
    html = _environment().get_template("pack.html.j2").render(
        title=f"Performance pack: {format_month(month)}",
        force=get_force_name(con) or "",
        month_label=format_month(month),
        snapshot=snap,
        footer_short=f"peel pack {month:%Y-%m}; {snap['as_of_label']}; batch {snap['latest_batch']}",
        items=items,
        css=Markup(css),
        version=__version__,
        generated_on=datetime.now(UK_TIME).strftime("%d %B %Y %H:%M %Z"),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = out_dir / "pack.html", out_dir / "pack.pdf"
    html_path.write_text(html, encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=str(out_dir)).render()
    document.write_pdf(pdf_path)
    return PackResult(out_dir, html_path, pdf_path, len(document.pages))
