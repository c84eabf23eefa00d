"""The refusals the casebook gives. Each message says what was wrong and what to do.

Every refusal is raised before anything is written, and the transaction it happens in is
rolled back, so a refused request changes no case, decision or review item. A refusal of
access (``UnknownUser``, ``AccessRefused``, ``PurposeRequired``) is itself written to the
audit log, in a transaction of its own (see ``access.refuse``).
"""

from __future__ import annotations


class CasebookError(Exception):
    """A request the casebook refused; the message is meant for the user."""


class UnknownUser(CasebookError):
    """The acting user does not exist or has been disabled."""


class NotSignedIn(UnknownUser):
    """A command was run without a valid session (none, expired, another user's, unsafe file)."""


class AccessRefused(CasebookError):
    """The user's role does not allow the action on that domain."""


class PurposeRequired(CasebookError):
    """Personal data was requested without a stated purpose."""


class InvalidStateChange(CasebookError):
    """The record is not in a state that allows the change (closed, already decided...)."""


class NotFound(CasebookError):
    """No record with that id."""


class InvalidInput(CasebookError):
    """A value is malformed (unknown role, empty reason, bad date...)."""


class CasebookUnavailable(CasebookError):
    """The casebook cannot be opened: a bad PEEL_CASEBOOK_URL, or no database answering there."""
