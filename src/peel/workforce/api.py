"""Agenda item 3 as JSON: the same figures as the pack section, for the JSON API
(``GET /api/workforce/{month}``) and ``peel workforce summary --json``."""

from __future__ import annotations

from dataclasses import asdict

from peel.workforce.section import WorkforceSection


def describe_section(section: WorkforceSection) -> dict:
    """The section's figures as plain data (dates as ISO text), every rate with its counts."""
    assaults = section.assaults
    return {
        "month": section.month.strftime("%Y-%m"),
        "as_of": section.as_of.isoformat(),
        "daily": {"solved_by_day": [{"day": d.isoformat(), "solved": n} for d, n in section.daily.by_day],
                  "total": section.daily.total},
        "training_start": section.training_start.isoformat() if section.training_start else None,
        "training": [asdict(r) | {"booked_percent": r.booked_percent, "completed_percent": r.completed_percent}
                     for r in section.training],
        "working_days_lost_per_fte": [{"month": m.month.isoformat(), "days_lost": m.numerator, "fte": m.denominator,
                                       "per_fte": m.value} for m in section.sickness],
        "share_absent": [{"month": m.month.isoformat(), "absent": m.numerator, "in_post": m.denominator,
                          "share": m.value} for m in section.absent],
        "monthly_by": {group: {measure: [{"month": m.month.isoformat(), group: m.group, "numerator": m.numerator,
                                          "denominator": m.denominator, "value": m.value} for m in rows]
                               for measure, rows in measures.items()}
                       for group, measures in section.by_group.items()},
        "sickness_change_since_training": {
            by: [asdict(c) | {"change_percent": c.change_percent} for c in changes]
            for by, changes in (("all", [section.change_all] if section.change_all else []),
                                ("rank", section.change_by_rank), ("role", section.change_by_role))},
        "share_absent_change_since_training": {
            by: [asdict(c) | {"change_points": None if c.since is None or c.before is None
                              else 100 * (c.since - c.before)} for c in changes]
            for by, changes in section.absent_change.items()},
        "wellbeing_people_by_month": [{"month": m.month.isoformat(), "service": m.group, "people": int(m.numerator)}
                                      for m in section.wellbeing_months],
        "wellbeing_people_12_months": [{"service": s, "people": now, "people_12_months_before": before}
                                       for s, now, before in section.wellbeing],
        "assaults": {
            kind: [{"year": y.label, "assaults": y.assaults, "solved": y.solved, "solve_rate": y.solve_rate,
                    "partial": y.partial} for y in years]
            for kind, years in (("calendar_years", assaults.calendar_years),
                                ("financial_years", assaults.financial_years))},
        "attrition": [asdict(a) for a in assaults.attrition],
    }
