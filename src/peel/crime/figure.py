"""One reported figure, with what it is compared with, how much of its period the data
covers, or why it is not available; and its texts, the same in every output.

Every text is rounded by ``peel.measures.rounding`` (halves away from zero, rates to one
decimal), so a table, a sentence and a download that show a figure show the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from peel.measures.rounding import format_count, format_percent, format_points

NOT_AVAILABLE = "not available"


@dataclass
class Figure:
    """One reported number with its period, comparison and test, ready for any output.

    ``value`` is None when the figure is not available (``not_available`` says why): never
    a zero that means "not known". ``coverage`` is the share of the period the data covers
    (1.0: all of it); a figure below 1 is partial, and says so in its text.
    """

    measure_id: str
    name: str
    period: str
    value: float | None
    unit: str
    numerator: int | None = None
    denominator: int | None = None
    comparison_period: str | None = None
    comparison_value: float | None = None
    change: float | None = None
    change_percent: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    note: str | None = None
    coverage: float = 1.0
    covered: str | None = None  # the days of the period the data covers, when not all
    not_available: str | None = None  # why there is no value
    # positive outcomes in the period of crimes recorded before the data starts (see compute)
    earlier_crime_outcomes: int | None = None
    comparison_partial: bool = False  # the comparison period is not fully covered: marked
    comparison_not_available: str | None = None

    @property
    def partial(self) -> bool:
        return self.value is not None and (self.coverage < 1 or bool(self.earlier_crime_outcomes))

    def _number(self, value: float) -> str:
        return format_percent(value) if self.unit == "percent" else format_count(value)

    def as_text(self) -> str:
        if self.value is None:
            return NOT_AVAILABLE
        text = self._number(self.value)
        if self.unit == "percent":
            text += f" ({format_count(self.numerator)} solved of {format_count(self.denominator)})"
        return f"partial: {text}" if self.partial else text

    def coverage_text(self) -> str:
        """How much of its period the data covers, said on every figure."""
        if self.coverage < 1:
            return f"{format_percent(self.coverage * 100)} of its days"
        if self.earlier_crime_outcomes:
            return f"all its days; {format_count(self.earlier_crime_outcomes)} outcomes of crimes before the data"
        return "all of it"

    def comparison_text(self) -> str:
        if self.comparison_not_available:
            return NOT_AVAILABLE
        if self.comparison_value is None:
            return ""
        text = self._number(self.comparison_value)
        return f"partial: {text}" if self.comparison_partial else text

    def change_text(self) -> str:
        """The change with its percentage where there is one; a rate's change is in points.
        A change against a partial period is marked."""
        if self.change is None:
            return ""
        if self.change_percent is not None:
            text = f"{format_count(self.change, signed=True)} ({format_percent(self.change_percent, signed=True)})"
        elif self.unit == "percent":
            text = format_points(self.change)
        else:
            text = format_count(self.change, signed=True)
        return f"{text}, against a partial period" if self.comparison_partial or self.partial else text

    def change_words(self) -> str:
        """The change as a sentence says it, with the table's figures: 'decreased by 1.2% (-12)'."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "did not change"
        direction = "increased" if self.change > 0 else "decreased"
        if self.change_percent is not None:
            return (f"{direction} by {format_percent(abs(self.change_percent))} "
                    f"({format_count(self.change, signed=True)})")
        size = format_points(abs(self.change))[1:] if self.unit == "percent" else format_count(abs(self.change))
        return f"{direction} by {size}"
