"""Who may do what to a request: staff, call-centre agents and citizens.

The web layer asks these questions and only turns a refusal into an HTTP status.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from geosvc.accounts.roles import Principal, Role, require
from geosvc.requests.transitions import TRANSITIONS, Action

#: The actions only the system or a citizen takes: the escalation job escalates, a
#: citizen rates through the status page.
_NOT_BY_STAFF = frozenset({Action.ESCALATE, Action.RATE})
#: The actions staff take, through the API or the CLI, in the lifecycle's order.
STAFF_ACTIONS = tuple(a for a in Action if a not in _NOT_BY_STAFF)

# Made from Action so that a new action reaches the staff API without a second list;
# mypy cannot follow an enum built from a computed list, hence the ignore.
StaffAction = StrEnum(  # type: ignore[misc]
    "StaffAction", [(a.name, a.value) for a in STAFF_ACTIONS]
)
StaffAction.__doc__ = (
    "The actions staff take through the API (escalation and rating happen elsewhere)."
)

#: What a call-centre agent may do without the staff role: add notes, notify customers.
AGENT_ACTIONS = frozenset({Action.NOTE, Action.NOTIFY})


def role_for(action: Action) -> Role:
    """The role a person needs to take ``action`` on a request through the staff API.

    >>> role_for(Action.NOTE).value, role_for(Action.CLOSE).value
    ('agent', 'staff')
    """
    return Role.AGENT if action in AGENT_ACTIONS else Role.STAFF


def require_for(principal: Principal, action: Action) -> Principal:
    """``principal`` if it may take ``action``; otherwise the error that
    ``geosvc.accounts.roles.require`` raises, naming the role needed."""
    return require(principal, role_for(action))


def may_rate(status: str, rated_at: datetime | None) -> bool:
    """Whether a citizen may rate a request now: once it is closed, once per closure.

    >>> may_rate("closed", None), may_rate("in_progress", None)
    (True, False)
    """
    allowed, _ = TRANSITIONS[Action.RATE]
    return status in allowed and rated_at is None
