"""The public pages: what the force publishes, for anyone, without signing in.

``/public`` lists every publication; each is a page per month (``/public/<slug>``) and the
same as JSON (``/api/public/<slug>``). A domain publishes by giving ``peel.web.domains`` a
``Publication``: the months it has, and a month's tables, already through the small-numbers
rule of ``peel.disclosure`` (which this page states). Nothing hidden reaches the page, the
JSON or the downloads (each table as CSV and XLSX): a hidden cell holds its text only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import duckdb
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from peel.casebook import Actor, InvalidInput, NotFound
from peel.disclosure import RULE, PublishedTable
from peel.measures.periods import format_month
from peel.warehouse import connect
from peel.web.downloads import DataTable, TableFormat, table_response
from peel.web.layout import render_page
from peel.web.links import Link

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Publication:
    slug: str  # its address: /public/<slug>
    title: str
    description: str
    get_months: Callable[[Connection], list[date]]  # the months it has, latest first
    publish: Callable[[Connection, date], tuple[date, list[PublishedTable]]]  # -> (snapshot date, tables)
    note: str = ""  # how to read its figures, after the snapshot date


class CellModel(BaseModel):
    value: float | None  # None: hidden by the small-numbers rule
    text: str
    hidden: str | None


class TableModel(BaseModel):
    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    cells: list[list[CellModel]]  # by row, then column, in the orders above


class PublishedMonth(BaseModel):
    title: str
    month: date
    data_to: date  # the snapshot: the last day the data covers
    rule: str
    tables: list[TableModel]


class PublicationModel(BaseModel):
    slug: str
    title: str
    description: str
    href: str


@dataclass(frozen=True)
class PublicPages:
    """The public pages of some publications: a part of the web app like a domain's."""

    publications: list[Publication]
    router: APIRouter

    def links(self, actor: Actor) -> list[Link]:
        return []  # public: on no start page, open to all at /public

    def find(self, slug: str) -> Publication:
        for publication in self.publications:
            if publication.slug == slug:
                return publication
        raise NotFound(f"Nothing is published at /public/{slug}; /public lists what is.")


def as_table(table: PublishedTable) -> TableModel:
    return TableModel(title=table.title, row_header=table.row_header, rows=table.rows, columns=table.columns,
                      cells=[[CellModel(**asdict(table.cells[r][c])) for c in table.columns] for r in table.rows])


def as_data_table(slug: str, published: PublishedMonth, number: int) -> DataTable:
    """Table ``number`` (from 1) of a published month as a download: counts as numbers, every
    other cell (a rate, a hidden figure) as the page's text, so the file shows what the page does."""
    if not 1 <= number <= len(published.tables):
        raise NotFound(f"{published.title} has tables 1 to {len(published.tables)} for "
                       f"{format_month(published.month)}; there is no table {number}.")
    table = published.tables[number - 1]
    rows = [[row, *[shown_value(cell) for cell in cells]] for row, cells in zip(table.rows, table.cells, strict=True)]
    return DataTable(f"{slug}-{published.month:%Y-%m}-table-{number}", f"{table.title}, {format_month(published.month)}",
                     [table.row_header, *table.columns], rows,
                     f"Data to {published.data_to:%d %B %Y}. {published.rule}")


def shown_value(cell: CellModel) -> int | str:
    """A count shown as a whole number, as that number; anything else as its text."""
    return int(cell.value) if cell.value is not None and cell.text == f"{int(cell.value):,}" else cell.text


def read_month(request: Request, publication: Publication, month: str | None) -> tuple[list[date], PublishedMonth | None]:
    """The months published, and the one asked for (default: the latest) as it may be shown."""
    path = request.app.state.settings.warehouse_path
    return read_month_of(path, get_version(path), publication, month)


def get_version(path: Path) -> tuple[int, int]:
    """What changes when the warehouse does: the modification times of its file and its log."""
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (path, path.with_name(path.name + ".wal")))


@lru_cache(maxsize=64)
def read_month_of(path: Path, _version: tuple[int, int], publication: Publication,
                  month: str | None) -> tuple[list[date], PublishedMonth | None]:
    """``read_month`` for one version of the warehouse at ``path``: a month is counted once."""
    try:
        con = connect(path, read_only=True)
    except (FileNotFoundError, duckdb.Error):
        return [], None
    try:
        months = publication.get_months(con)
        if not months:
            return [], None
        chosen = months[0] if not month else next((m for m in months if m.strftime("%Y-%m") == month), None)
        if chosen is None:
            raise InvalidInput(f"No figures for month {month!r}: choose one of {format_month(months[-1])} to "
                               f"{format_month(months[0])}, written as YYYY-MM.")
        data_to, tables = publication.publish(con, chosen)
    finally:
        con.close()
    return months, PublishedMonth(title=publication.title, month=chosen, data_to=data_to, rule=RULE,
                                  tables=[as_table(t) for t in tables])


def pages(publications: list[Publication]) -> PublicPages:
    """The public pages of ``publications``, for ``peel.web.domains``."""
    part = PublicPages(publications, APIRouter())

    @part.router.get("/public")
    def show_index(request: Request) -> Response:
        return render_page(request, "web/public_index.html.j2", title="Published figures",
                           publications=publications)

    @part.router.get("/public/{slug}")
    def show_publication(request: Request, slug: str, month: str | None = None) -> Response:
        publication = part.find(slug)
        months, published = read_month(request, publication, month)
        return render_page(request, "web/public_figures.html.j2", title=publication.title,
                           publication=publication, months=months, published=published, rule=RULE,
                           format_month=format_month)

    @part.router.get("/public/{slug}/table-{number}.{format}")
    def download_table(request: Request, slug: str, number: int, format: TableFormat,
                       month: str | None = None) -> Response:
        _, published = read_month(request, part.find(slug), month)
        if published is None:
            raise NotFound("No figures are published yet: the warehouse holds no data.")
        return table_response(as_data_table(slug, published, number), format)

    @part.router.get("/api/public", response_model=list[PublicationModel])
    def api_index() -> list[PublicationModel]:
        return [PublicationModel(slug=p.slug, title=p.title, description=p.description, href=f"/public/{p.slug}")
                for p in publications]

    @part.router.get("/api/public/{slug}", response_model=PublishedMonth)
    def api_publication(request: Request, slug: str, month: str | None = None) -> PublishedMonth:
        _, published = read_month(request, part.find(slug), month)
        if published is None:
            raise NotFound("No figures are published yet: the warehouse holds no data.")
        return published

    return part
