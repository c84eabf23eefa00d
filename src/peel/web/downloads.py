"""Downloads of what a page shows: every table as CSV or XLSX, every chart as SVG or PNG.

A page builds each table once as a ``DataTable`` (its column headings and rows, as shown),
renders it, and serves the same object at its download address through ``table_response``;
a chart is served by ``chart_response`` from the same spec and values the page draws. XLSX
files are written with openpyxl (one sheet, bold headings, the data's snapshot under the
table). The links under a table or chart come from the ``web/downloads.html.j2`` macros.

A table of personal data says so (``DataTable.personal``: what its rows are and whose), and
taking it away in a file is a disclosure: ``table_response`` refuses to write it without the
user who asked, and logs the disclosure in the audit log (one entry per subject, with the
file's name) before handing the file over. Reading the data was checked and logged by the
function that read it; the download adds that it left peel, and as what.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from fastapi.responses import Response

from peel.casebook import Actor, Operation, transaction
from peel.casebook.access import record
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


@dataclass(frozen=True)
class PersonalData:
    """What a table of personal data holds: its records' type (as the audit log names it,
    e.g. "crime_record") and the subject references of its rows (none: the file as a whole)."""

    object_type: str
    subject_refs: list[str]


@dataclass(frozen=True)
class Recipient:
    """Who downloads a table of personal data, why (the purpose they stated to read it, if
    one was asked) and the casebook the disclosure is logged in (None: the installation's)."""

    actor: Actor
    purpose: str | None = None
    casebook_url: str | None = None


@dataclass
class DataTable:
    """A table as a page shows it: what it is, its headings, its rows (numbers as numbers)."""

    name: str  # the file's name without extension, e.g. "burglary-force-2026-03-figures"
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    source: str = ""  # the data snapshot it was computed from, written under the table
    personal: PersonalData | None = None  # set when its rows are personal data


def table_response(table: DataTable, format: TableFormat, recipient: Recipient | None = None) -> Response:
    """``table`` as a CSV or XLSX file to download; a table of personal data only to a
    ``recipient``, the disclosure logged first."""
    filename = f"{table.name}.{format}"
    content = write_csv(table) if format == "csv" else write_xlsx(table)
    if table.personal is not None:
        log_disclosure(table, filename, recipient)
    return _attachment(content, filename)


def log_disclosure(table: DataTable, filename: str, recipient: Recipient | None) -> None:
    """Write the audit entries of a download of personal data: one per subject in it."""
    if recipient is None:
        raise ValueError(f"{table.name}: a table of personal data is downloaded only by a named user, "
                         "whose download is logged; pass the Recipient.")
    personal = table.personal
    with transaction(recipient.casebook_url) as session:
        for subject_ref in dict.fromkeys(personal.subject_refs) or [None]:
            record(session, recipient.actor, Operation.DISCLOSURE, personal.object_type, subject_ref=subject_ref,
                   purpose=recipient.purpose, detail={"download": filename, "rows": len(table.rows)})


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
