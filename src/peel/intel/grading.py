"""The 3x5x2 handling grading of intelligence (College of Policing APP, Intelligence
management): a source evaluation (1-3), an intelligence assessment (A-E) and a handling code
(P or C). Its meanings, and the two rules a pack follows from it, are defined here once.

- A report with handling code C carries conditions: its text is never shown in a pack (the
  pack cites the report and states the conditions instead).
- A report assessed E (suspected to be false) is shown as such but never supports a warning
  marker or an association.
"""

from __future__ import annotations

SOURCE_EVALUATION = {"1": "source reliable", "2": "source untested", "3": "source not reliable"}
INTELLIGENCE_ASSESSMENT = {
    "A": "known directly to the source",
    "B": "known indirectly to the source but corroborated",
    "C": "known indirectly to the source",
    "D": "not known",
    "E": "suspected to be false",
}
HANDLING_CODE = {"P": "lawful sharing permitted", "C": "lawful sharing permitted subject to conditions"}


def describe_grading(report: dict) -> str:
    """'2/B/P (source untested; known indirectly to the source but corroborated; lawful sharing
    permitted)'."""
    s, a, h = report["source_evaluation"], report["intelligence_assessment"], report["handling_code"]
    return (f"{s}/{a}/{h} ({SOURCE_EVALUATION[s]}; {INTELLIGENCE_ASSESSMENT[a]}; "
            f"{HANDLING_CODE[h]})")


def may_show_text(report: dict) -> bool:
    """Whether a pack may show the report's text: only when no handling conditions apply."""
    return report["handling_code"] == "P"


def may_support_inference(report: dict) -> bool:
    """Whether the report may support a warning marker or an association."""
    return report["intelligence_assessment"] != "E"
