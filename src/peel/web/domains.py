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
from peel.control_room import web as control_room_pages
from peel.crime import public as crime_public
from peel.crime import web as crime_web
from peel.dvds import public as dvds_public
from peel.dvds import web as dvds_web
from peel.firearms import web as firearms_web
from peel.intel import web as intel_pages
from peel.lfr import public as lfr_public
from peel.lfr import web as lfr_web
from peel.linkage import web as linkage_pages
from peel.oversight import web as oversight_pages
from peel.pack import web as pack
from peel.web import public
from peel.web.links import DomainPages, Placeholder
from peel.workforce import web as workforce_web

# What the force publishes at /public, without sign-in (small numbers hidden: peel.disclosure).
PUBLICATIONS: list[public.Publication] = [
    public.Publication("crime", "Crime and outcomes", "Crimes recorded each month and how many are solved so "
                       "far, by crime type and district.", crime_public.get_public_months,
                       crime_public.publish_month,
                       "Recent crimes have had less time to be solved, so the numbers solved rise as outcomes arrive."),
    public.Publication("lfr-fairness", "Fairness of live facial recognition", "True and false alerts over the 12 "
                       "months to each month, by ethnicity, sex and age band. Where and when it is used: "
                       "/public/lfr/deployments.", lfr_public.get_fairness_months,
                       lfr_public.publish_fairness_year),
    public.Publication("clares-law", "Clare's Law", "Requests, cases and disclosures under the Domestic Violence "
                       "Disclosure Scheme by route (Right to Ask, Right to Know) and calendar year, and the share "
                       "of cases completed within 28 days.", dvds_public.get_months, dvds_public.publish_years,
                       dvds_public.NOTE),
]

DOMAINS: list[DomainPages | Placeholder] = [
    crime_web,  # the daily dashboard and crime performance
    pack,  # the meeting pack for any month, and the meeting actions
    lfr_web,  # the deployment register, alerts and deletion evidence; the public register and feeds
    workforce_web,  # leadership and wellbeing: training, sickness, assaults on staff
    control_room_pages,
    firearms_web,  # the renewals backlog, its forecast, the oldest cases
    dvds_web,  # Clare's Law cases, the Right to Know candidates, the figures
    intel_pages,  # intelligence packs
    oversight_pages,  # the AI-oversight board
    linkage_pages,
    casebook_pages,  # the review queue and the audit log
    Placeholder("Retention review", "Records at their review date: keep or erase, with the reason.",
                Action.REVIEW_RETENTION),
    Placeholder("Accounts", "Add and disable accounts, and see each role's grants.", Action.MANAGE_USERS),
    public.pages(PUBLICATIONS),
]
