"""The web app's parts: the one list of what each domain adds (its router and its start-page
links), in the order start pages show them.

Adding a domain's pages: give its folder a ``web.py`` with ``router`` and ``links(actor)``
(see ``peel.web.links``), import it here and put it in place of its placeholder. Nothing
else in the web app changes. A part not built yet stays a ``Placeholder``, so the roles it
is for already see where it will be. Only this module names a domain.
"""

from __future__ import annotations

from peel.casebook import Action
from peel.casebook import web as casebook_pages
from peel.crime import public as crime_public
from peel.crime import web as crime_web
from peel.intel import web as intel_pages
from peel.linkage import web as linkage_pages
from peel.oversight import web as oversight_pages
from peel.pack import web as pack
from peel.web import public
from peel.web.links import DomainPages, Placeholder

# What the force publishes at /public, without sign-in (small numbers hidden: peel.disclosure).
PUBLICATIONS: list[public.Publication] = [
    public.Publication("crime", "Crime and outcomes", "Crimes recorded each month and how many are solved so "
                       "far, by crime type and district.", crime_public.get_public_months,
                       crime_public.publish_month),
]

DOMAINS: list[DomainPages | Placeholder] = [
    crime_web,  # the daily dashboard and crime performance
    pack,  # the meeting pack for any month, and the meeting actions
    Placeholder("Live facial recognition", "Deployments, alerts and their adjudication.",
                Action.READ_PERSONAL, "lfr"),
    Placeholder("Leadership and wellbeing", "Training by rank, sickness, wellbeing and assaults on staff.",
                Action.READ_AGGREGATES, "workforce"),
    Placeholder("Control room", "Calls and incidents, their forecast, and the staffing it takes.",
                Action.READ_AGGREGATES, "control_room"),
    Placeholder("Firearms licensing", "Certificate grants and renewals, and safeguarding alerts.",
                Action.READ_PERSONAL, "firearms"),
    Placeholder("Clare's Law", "Right to Ask and Right to Know cases and their disclosures.",
                Action.READ_PERSONAL, "dvds"),
    intel_pages,  # intelligence packs
    oversight_pages,  # the AI-oversight board
    linkage_pages,
    casebook_pages,  # the review queue and the audit log
    Placeholder("Retention review", "Records at their review date: keep or erase, with the reason.",
                Action.REVIEW_RETENTION),
    Placeholder("Accounts", "Add and disable accounts, and see each role's grants.", Action.MANAGE_USERS),
    public.pages(PUBLICATIONS),
]
