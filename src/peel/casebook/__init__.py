"""The casebook: shared case records, users and roles, need-to-know access with stated
purposes, the review queue, retention, and a tamper-evident audit log (DPA 2018 s62).

Workflows use this face, and only it; the modules behind it may move. Each function that
reads or changes personal data takes the acting user and the purpose (a reason, for
decisions), checks them itself, and logs what was done, or what was refused::

    from peel.casebook import transaction, open_case, read_case

    with transaction() as s:
        case_id = open_case(s, username, domain="dvds", kind="right_to_ask", details={...},
                            purpose="Right to Ask application received", subject_ref="P-981")
"""

from peel.casebook.access import (
    PURPOSE,
    REASON,
    Actor,
    Request,
    authorise,
    combine,
    consult,
    consultation,
    processing,
    read_audit_log,
    record,
    verify_audit_log,
)
from peel.casebook.audit import AuditFilter, Operation, Verification
from peel.casebook.cases import (
    CaseView,
    DecisionView,
    close_case,
    count_cases,
    open_case,
    read_case,
    record_decision,
    record_disclosure,
    update_case,
)
from peel.casebook.db import transaction
from peel.casebook.errors import (
    AccessRefused,
    CasebookError,
    CasebookUnavailable,
    InvalidInput,
    InvalidStateChange,
    NotFound,
    PurposeRequired,
    UnknownUser,
)
from peel.casebook.meetings import (
    MeetingActionView,
    actions_for_pack,
    list_meeting_actions,
    read_day,
    read_month,
    record_meeting_action,
    record_pack_publication,
    update_meeting_action,
)
from peel.casebook.models import ACCEPTED, ACTION_STATUSES, PENDING, REJECTED
from peel.casebook.review import (
    Proposal,
    count_decisions,
    decide,
    find_item_domain,
    list_items,
    lock_queue,
    proposals_by,
    propose,
    show_item,
)
from peel.casebook.roles import ADMINISTRATOR, Action, Domain
from peel.casebook.roles import load_roles as list_roles
from peel.casebook.sessions import AccountLocked, SignedIn, find_session, sign_in, sign_out
from peel.casebook.users import add_user

__all__ = [
    "ACCEPTED",
    # Actions agreed at the PCC's meetings.
    "ACTION_STATUSES",
    # Accounts and roles.
    "ADMINISTRATOR",
    "PENDING",
    "PURPOSE",
    "REASON",
    "REJECTED",
    "AccessRefused",
    # Signing in to the web app.
    "AccountLocked",
    "Action",
    "Actor",
    # The audit log, for auditors.
    "AuditFilter",
    "CaseView",
    "CasebookError",
    "CasebookUnavailable",
    "DecisionView",
    "Domain",
    "InvalidInput",
    "InvalidStateChange",
    "MeetingActionView",
    "NotFound",
    "Operation",
    "Proposal",
    "PurposeRequired",
    "Request",
    "SignedIn",
    "UnknownUser",
    "Verification",
    "actions_for_pack",
    "add_user",
    "authorise",
    "close_case",
    "combine",
    "consult",
    "consultation",
    "count_cases",
    "count_decisions",
    "decide",
    "find_item_domain",
    "find_session",
    "list_items",
    "list_meeting_actions",
    "list_roles",
    "lock_queue",
    "open_case",
    "processing",
    "proposals_by",
    "propose",
    "read_audit_log",
    "read_case",
    "read_day",
    "read_month",
    # The audit entry for what an actor already authorised in this transaction just did.
    "record",
    "record_decision",
    "record_disclosure",
    "record_meeting_action",
    "record_pack_publication",
    "show_item",
    "sign_in",
    "sign_out",
    "transaction",
    "update_case",
    "update_meeting_action",
    "verify_audit_log",
]
