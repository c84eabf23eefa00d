"""The web app's parts: the one list of what each domain adds (its router and its start-page
links), in the order start pages show them.

Adding a domain's pages: give its folder a ``web.py`` with ``router`` and ``links(actor)``
(see ``peel.web.links``), import it here and put it in place of its placeholder. Nothing
else in the web app changes. A part not built yet stays a ``Placeholder``, so the roles it
is for already see where it will be. Only this module names a domain.
"""

from __future__ import annotations

from peel.casebook import Action
from peel.crime import web as crime_web
from peel.web.links import DomainPages, Placeholder

DOMAINS: list[DomainPages | Placeholder] = [
    crime_web,  # the daily dashboard and crime performance
    Placeholder("Meeting pack", "The Accountability and Performance Meeting's pack for any month.",
                Action.READ_AGGREGATES),
    Placeholder("Live facial recognition", "Deployments, alerts and their adjudication.",
                Action.READ_PERSONAL, "lfr"),
    Placeholder("Firearms licensing", "Certificate grants and renewals, and safeguarding alerts.",
                Action.READ_PERSONAL, "firearms"),
    Placeholder("Clare's Law", "Right to Ask and Right to Know cases and their disclosures.",
                Action.READ_PERSONAL, "dvds"),
    Placeholder("Intelligence", "Intelligence cases and packs on subjects.", Action.READ_PERSONAL,
                "intelligence"),
    Placeholder("Linkage review", "Proposed record links: the pair, the evidence, accept or reject.",
                Action.DECIDE_REVIEW, "linkage"),
    Placeholder("Review queue", "Proposals waiting for a person's decision in your domains.",
                Action.DECIDE_REVIEW),
    Placeholder("Retention review", "Records at their review date: keep or erase, with the reason.",
                Action.REVIEW_RETENTION),
    Placeholder("Audit log", "Who consulted or changed what, when and why; filter and verify it.",
                Action.READ_AUDIT),
    Placeholder("Accounts", "Add and disable accounts, and see each role's grants.", Action.MANAGE_USERS),
]
