"""Intelligence packs and event risk assessments.

Importing the package registers its rule for deciding an event risk assessment with the review
queue (the casebook never imports a domain, so the domain tells it)."""

from peel.intel import command_levels  # noqa: F401  (registers the command-level sign-off rule)
