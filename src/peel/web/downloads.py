"""Downloads of what a page shows: every table as CSV or XLSX, every chart as SVG or PNG.

A page builds each table once as a ``DataTable`` (its column headings and rows, as shown),
renders it, and serves the same object at its download address through ``table_response``;
a chart is served by ``chart_response`` from the same spec and values the page draws. XLSX
files are written with openpyxl (one sheet, bold headings, the data's snapshot under the
table). The links under a table or chart come from the ``web/downloads.html.j2`` macros.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from fastapi.responses import Response

from peel.render import render_chart, render_chart_png

TableFormat = Literal["csv", "xlsx"]
ChartFormat = Literal["svg", "png"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}
SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name


@dataclass
class DataTable:
    """A table as a page shows it: what it is, its headings, its rows (numbers as numbers)."""

    name: str  # the file's name without extension, e.g. "burglary-force-2026-03-figures"
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    source: str = ""  # the data snapshot it was computed from, written under the table


def table_response(table: DataTable, format: TableFormat) -> Response:
    """``table`` as a CSV or XLSX file to download."""
    content = write_csv(table) if format == "csv" else write_xlsx(table)
    return _attachment(content, f"{table.name}.{format}")


def chart_response(chart: str, values: list[dict], name: str, format: ChartFormat) -> Response:
    """The chart ``chart`` (a ``render`` name) with ``values`` as an SVG or PNG file."""
    content = str(render_chart(chart, values)) if format == "svg" else render_chart_png(chart, values)
    return _attachment(content, f"{name}.{format}")


def write_csv(table: DataTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([_plain(v) for v in row] for row in table.rows)
    return out.getvalue()


def write_xlsx(table: DataTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(table.title)
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_plain(v) for v in row])
    if table.source:
        sheet.append([])
        sheet.append([table.source])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value):
    """A cell's value: numbers, text and dates as they are, anything else as its text."""
    if value is None or isinstance(value, (int, float, str, date)):
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Table"


def _attachment(content: str | bytes, filename: str) -> Response:
    media_type = MEDIA_TYPES[filename.rsplit(".", 1)[1]]
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
