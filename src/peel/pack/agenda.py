"""The meeting's agenda: the one list of the pack's items and the sections under each, in
the order the Accountability and Performance Meeting takes them.

Adding an agenda item: give its domain folder a ``section.py`` declaring ``SECTION`` (see
``peel.section``) and put it here, in place of its placeholder. Nothing else in the pack
changes. An item not built yet stays a ``Placeholder`` with its reason, so the pack shows it
as "not yet available" rather than leaving it out.
"""

from __future__ import annotations

from peel.crime.section import SECTION as CRIME
from peel.section import AgendaItem, Placeholder

AGENDA: list[AgendaItem] = [
    AgendaItem("Burglary", [CRIME]),
    AgendaItem("Live facial recognition", [
        Placeholder("Live facial recognition", "Deployment register, alerts and outcomes are planned.", "lfr"),
    ]),
    AgendaItem("Leadership and wellbeing", [
        Placeholder("Leadership and wellbeing",
                    "Daily dashboard, training, sickness and assaults on staff are planned.", "workforce"),
    ]),
    AgendaItem("Firearms licensing", [
        Placeholder("Firearms licensing", "Renewals backlog and forecast are planned.", "firearms"),
    ]),
    AgendaItem("Use of artificial intelligence", [
        Placeholder("Use of artificial intelligence",
                    "Linkage, Clare's Law recognition and the AI-oversight figures are planned."),
    ]),
]
