"""The AI-oversight board's part of agenda item 5 in the meeting pack: each registered
algorithm's proposals and what people decided in the month. Counts only."""

from __future__ import annotations

from datetime import date

import duckdb

from peel.oversight.report import OversightReport, get_pack_report
from peel.render import render_template
from peel.section import SectionKind
from peel.warehouse.database import get_last_day_covered


def build_oversight(con: duckdb.DuckDBPyConnection, month: date, as_of: date | None = None) -> OversightReport:
    return get_pack_report(month, con=con)


def render_oversight(report: OversightReport) -> str:
    return render_template("oversight/section.html.j2", report=report)


KIND = SectionKind(
    name="ai_oversight",
    domain="oversight",
    description="What each of peel's algorithms proposed in the month and what people decided, for the AI-oversight board.",
    needs="the casebook's review queue, and any data loaded (peel demo-data)",
    get_data_to=get_last_day_covered,
    build=build_oversight,
    render=render_oversight,
)
