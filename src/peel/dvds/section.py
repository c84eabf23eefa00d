"""The pack's Clare's Law section (agenda item 5): requests, cases and disclosures by route for
the 12 months to the reporting month, against the 12 months before; the 28-day target; and
Right to Know before and after the day recognition from linked data started (the force setting
PEEL_DVDS_RECOGNITION_STARTED); and the Right to Know candidates raised and decided in the
month, with the share accepted. Aggregates, with counts from 1 to 9 hidden (``peel.disclosure``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from peel.disclosure import SMALL, TEXTS, THRESHOLD
from peel.dvds.cases import ROUTES
from peel.dvds.figures import MEASURES, figures, recognition_started
from peel.dvds.queue import CandidateCounts, count_candidates
from peel.measures.registry import get_measures
from peel.render import render_template
from peel.section import SectionKind


@dataclass(frozen=True)
class DvdsSection:
    period: str
    earlier: str
    rows: list[dict]  # route, measure name, value text, earlier text
    before_after: dict | None  # Right to Know requests and cases, 12 months either side
    data_to: date
    month: str  # the reporting month, e.g. "March 2026"
    candidates: dict | None  # raised, accepted, declined and share accepted, as published; None: no casebook


def published(value: float | None) -> str:
    """A count as the PCC's office may see it: 1 to 9 hidden."""
    if value is None:
        return "not available"
    if isinstance(value, int) and 0 < value < THRESHOLD:
        return TEXTS[SMALL]
    return f"{value:,}"


def _text(figure: dict) -> str:
    if "numerator" not in figure:
        return published(figure["value"])
    if figure["value"] is None:
        return "no cases completed"
    # Both counts, as peel.disclosure's rule for rates: "3 of 40" would show a small count.
    if figure["denominator"] < THRESHOLD or 0 < figure["numerator"] < THRESHOLD:
        return f"not shown (fewer than {THRESHOLD} cases completed, or completed within 28 days)"
    return f"{figure['value']}% ({figure['numerator']:,} of {figure['denominator']:,})"


def share_text(figure: dict) -> str:
    """The share of candidates accepted as the PCC's office may see it: shown only when both
    of its counts are at least 10 (``peel.disclosure``'s rule for rates)."""
    accepted, decided = figure["numerator"], figure["denominator"]
    if not decided:
        return "no candidates decided"
    if decided < THRESHOLD or 0 < accepted < THRESHOLD:
        return f"not shown (fewer than {THRESHOLD} candidates decided or accepted)"
    return f"{figure['value']}% ({accepted:,} of {decided:,})"


def published_candidates(counts: CandidateCounts | None) -> dict | None:
    """The month's candidates as published: counts from 1 to 9 hidden."""
    if counts is None:
        return None
    return {"raised": published(counts.raised), "accepted": published(counts.accepted),
            "declined": published(counts.rejected), "share_accepted": share_text(counts.share_accepted)}


def get_data_to(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("SELECT max(first_contact) FROM dvds_application").fetchone()[0]


def build(con: duckdb.DuckDBPyConnection, month: date, as_of: date | None = None) -> DvdsSection:
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    data_to = min(get_data_to(con), as_of or date.max)
    end = min(end, data_to + timedelta(days=1))
    start = end.replace(year=end.year - 1)
    now, then = figures(con, start, end), figures(con, start.replace(year=start.year - 1), start)
    names = {m: get_measures("dvds")[m].name for m in MEASURES}
    rows = [{"route": ROUTES[r], "measure": names[m], "value": _text(now[r][m]), "earlier": _text(then[r][m])}
            for r in ROUTES for m in MEASURES]
    started = recognition_started()
    after_end = min(started.replace(year=started.year + 1), end)
    before_after = None
    if started < end:
        b, a = figures(con, started.replace(year=started.year - 1), started), figures(con, started, after_end)
        before_after = {"started": started, "until": after_end - timedelta(days=1),
                        "before": {m: _text(b["right_to_know"][m]) for m in ("dvds_requests", "dvds_cases", "dvds_disclosures")},
                        "after": {m: _text(a["right_to_know"][m]) for m in ("dvds_requests", "dvds_cases", "dvds_disclosures")}}
    label = lambda s, e: f"{s:%d %B %Y} to {e - timedelta(days=1):%d %B %Y}"
    first = month.replace(day=1)
    counts = count_candidates(first, (first + timedelta(days=32)).replace(day=1))
    return DvdsSection(label(start, end), label(start.replace(year=start.year - 1), start), rows, before_after,
                       data_to, f"{first:%B %Y}", published_candidates(counts))


def render(section: DvdsSection) -> str:
    return render_template("dvds/section.html.j2", section=section, names=get_measures("dvds"),
                           measures=list(get_measures("dvds").values()), threshold=THRESHOLD)


KIND = SectionKind(
    name="clares_law",
    domain="dvds",
    description="Clare's Law requests, cases and disclosures by route, the 28-day target, and Right to "
                "Know before and after recognition from linked data started.",
    needs="Clare's Law applications (peel demo-data, or a force's public-protection extract)",
    get_data_to=get_data_to,
    build=build,
    render=render,
)
