"""The warehouse as the web app reads it: one published snapshot per request.

A load writes a new generation of the warehouse and publishes it whole
(``peel.warehouse.generations``), so a page never waits for a load nor sees half of one:
a request reads the generation published when it opened the warehouse, and every page
states which (generation, publication time, latest load) in its footer.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime

import duckdb
from fastapi import Request
from starlette.exceptions import HTTPException

from peel.warehouse import open_snapshot, snapshot
from peel.warehouse.database import get_force_name
from peel.warehouse.generations import remember

log = logging.getLogger(__name__)

NO_DATA = "No data is loaded yet. Load some with 'peel demo-data' or 'peel ingest', then reload this page."


def read_warehouse(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A route's dependency (``con = Depends(read_warehouse)``): the published snapshot,
    the same one for the whole request, which the page's footer then names."""
    with open_published(request) as con:
        yield con


@contextlib.contextmanager
def open_published(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """``read_warehouse`` for a route that opens the snapshot itself (only once a form is
    checked, or in its own dependency): before any data is loaded, a 503 page saying so."""
    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(open_snapshot(request.app.state.settings.warehouse_path))
        except FileNotFoundError:  # only the opening: the route's own errors are its own
            raise HTTPException(503, NO_DATA) from None
        request.state.snapshot = describe_snapshot(con)
        yield con


@contextlib.contextmanager
def open_published_if_any(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """``open_published`` for a page that stands without data (its figures come from the
    casebook, the warehouse only adds to them): None before any data is loaded."""
    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(open_published(request))
        except HTTPException as error:  # only the opening: the route's own errors are its own
            if error.status_code != 503:
                raise
            con = None
        yield con


def describe_snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """``peel.warehouse.snapshot`` and the force's name: what a page says of its data, with
    the publication time in UK time. Worked out once per generation."""
    return remember(con, "page_snapshot", (), lambda: _describe(con))


def _describe(con: duckdb.DuckDBPyConnection) -> dict:
    # Imported here: auth's pages render through layout, which imports this module.
    from peel.web.auth import UK_TIME

    described = snapshot(con)
    published = described["published_at"]
    label = (datetime.fromisoformat(published).astimezone(UK_TIME).strftime("%d %B %Y %H:%M:%S %Z")
             if published else "at a time peel cannot tell")
    return described | {"force_name": get_force_name(con), "published_label": label}


def get_page_snapshot(request: Request) -> dict | None:
    """The snapshot this request read, or (a page that reads no figures) the one published
    now; None before any data is loaded, or should the warehouse not open."""
    if getattr(request.state, "snapshot", None) is not None:
        return request.state.snapshot
    try:
        with open_snapshot(request.app.state.settings.warehouse_path) as con:
            return describe_snapshot(con)
    except FileNotFoundError:
        return None
    except duckdb.Error as error:  # held by another program: the page goes on without it
        log.warning("The page's footer cannot name the data snapshot: %s", error)
        return None
