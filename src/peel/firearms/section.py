"""The firearms licensing section of the meeting pack (agenda item 4): outstanding renewals
by year due and the change in a month, throughput, the forecast with its interval and the
staffing it assumes, the inbox and the action plan, and the safeguarding reviews raised and
decided. Aggregates only. ``KIND`` is what the pack's agenda registers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import duckdb
from dateutil.relativedelta import relativedelta

from peel.firearms.backlog import Backlog, build_backlog, data_to
from peel.firearms.rules import STAGE_NAMES, STAGES
from peel.measures import get_measures
from peel.render import render_template
from peel.section import Parameter, SectionKind

if TYPE_CHECKING:
    from peel.firearms.forecast import Forecast


@dataclass
class FirearmsSection:
    backlog: Backlog
    forecast: Forecast | None
    forecast_note: str | None
    reviews: dict | None  # safeguarding review items by status; None: the casebook was not read


def get_firearms_section(con: duckdb.DuckDBPyConnection, month: date, staff: int = 0,
                         as_of: date | None = None) -> FirearmsSection:
    """The section for ``month``, counted to the end of the month or the data's last day."""
    # pandas and statsforecast load when a pack is built, not whenever peel starts.
    from peel.firearms.forecast import forecast_clearance
    from peel.firearms.safeguarding import count_reviews

    month_end = month + relativedelta(months=1, days=-1)
    last = data_to(con)
    day = min(d for d in (month_end, last, as_of) if d is not None)
    try:
        forecast, note = forecast_clearance(con, day, staff), None
    except ValueError as error:
        forecast, note = None, str(error)
    return FirearmsSection(build_backlog(con, day), forecast, note, count_reviews())


def render_firearms_section(section: FirearmsSection) -> str:
    return render_template("firearms/section.html.j2", s=section, stages=STAGES, stage_names=STAGE_NAMES,
                           measures=list(get_measures("firearms").values()))


def _check_staff(_con, value) -> None:
    if not isinstance(value, int):
        # The agenda reader reports a ValueError with the item it came from (peel.section.Parameter).
        raise ValueError(f"expected a whole number of officers added (10) or taken away (-2), not {value!r}.")  # noqa: TRY004


KIND = SectionKind(
    name="firearms_licensing",
    domain="firearms",
    description="The renewals backlog by year due, throughput, its forecast, the inbox, the action plan "
                "and safeguarding reviews.",
    needs="a firearms register (peel demo-data, or the force's licensing extract)",
    get_data_to=data_to,
    build=get_firearms_section,
    render=render_firearms_section,
    parameters=(Parameter("staff", "officers added to (or taken from) those deciding renewals now, for the "
                          "forecast", 0, _check_staff),),
)
