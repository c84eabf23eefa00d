"""Write the rules section of docs/lfr.md from ``rules.yaml``.

Run ``python -m peel.lfr.docs`` after changing the rules; a test fails while the page and the
rules disagree.
"""

from __future__ import annotations

from peel.docgen import DOCS_DIR, write_section
from peel.lfr.rules import get_rules

DOC = DOCS_DIR / "lfr.md"
SECTION = "lfr-rules"


def render_rules_markdown() -> str:
    rules = get_rules()
    lines = [
        (f"- **Notice**: a deployment is confirmed at least {rules['notice_days']} days before it starts, counted on "
        "the UK clock (the same time of day, even across a clock change), unless an urgent exception is recorded "
        "with its reason and approver."),
        f"- **Authorising rank**: {rules['authorising_rank']} or above; ranks known: {', '.join(rules['ranks'])}.",
        f"- **Why a location**: {', '.join(rules['location_reasons'])}.",
        f"- **Watchlist categories**: {'; '.join(rules['watchlist_categories'])}.",
        f"- **Adjudications**: {', '.join(rules['adjudications'])}; **outcomes**: {', '.join(rules['outcomes'])}.",
        f"- **Deletion evidence required** after each deployment: {'; '.join(rules['deletion_evidence'])}.",
        (f"- **Surveys**: one every {rules['survey_interval_months']} months; the reminder shows "
        f"{rules['survey_reminder_days']} days before one is due."),
        f"- **Confidence** of the false-alert bound and survey margins: {rules['confidence']:.0%}.",
        "- **Demographic categories** counted for fairness:",
    ]
    lines += [f"  - {name.replace('_', ' ')}: {', '.join(values)}" for name, values in rules["demographics"].items()]
    return "\n".join(lines)


def update_doc() -> None:
    write_section(DOC, SECTION, render_rules_markdown())


if __name__ == "__main__":
    update_doc()
