"""A chart for readers who cannot see it: its description and its data as a table."""

from peel.crime.section import describe_series, tabulate_series


def row(month: str, recorded: int, expected: float | None = None, unusual: bool = False, partial: bool = False):
    return {"month": month, "recorded": recorded, "expected": expected, "unusual": unusual, "partial": partial}


SERIES = [row("2025-11-01", 300, 280.4, unusual=True), row("2025-12-01", 250, 260.0),
          row("2026-01-01", 1200, 1190.0), row("2026-02-01", 40, 250.6, partial=True)]


def test_describe_series_gives_span_range_latest_and_marked_months_leaving_out_a_partial_low():
    assert describe_series(SERIES, "Shoplifting") == (
        "Chart of shoplifting recorded per month from November 2025 to February 2026: between 250 "
        "(December 2025) and 1,200 (January 2026); February 2026: 40 (a partial month) against 251 expected. "
        "Months marked unusually high for their season: November 2025.")


def test_tabulate_series_puts_a_year_per_row_and_leaves_out_a_year_without_expectations():
    no_model = [row("2021-03-01", 12)]
    assert tabulate_series(SERIES) == [
        {"year": 2025, "figure": "recorded", "cells": [""] * 10 + ["300*", "250"]},
        {"year": 2025, "figure": "expected", "cells": [""] * 10 + ["280", "260"]},
        {"year": 2026, "figure": "recorded", "cells": ["1,200", "40"] + [""] * 10},
        {"year": 2026, "figure": "expected", "cells": ["1,190", "251"] + [""] * 10},
    ]
    assert tabulate_series(no_model) == [{"year": 2021, "figure": "recorded", "cells": [""] * 2 + ["12"] + [""] * 9}]
