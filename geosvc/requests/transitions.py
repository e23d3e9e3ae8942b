"""Which action may happen in which status, and where it leads: the lifecycle as data.

Kept apart from the database code so the whole state machine can be read (and tested) in
one table.
"""

from __future__ import annotations

from enum import StrEnum

from geosvc.errors import ConflictError


class Status(StrEnum):
    """A request's status; Open311 shows ``closed`` as closed and every other as open."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    CLOSED = "closed"
    REOPENED = "reopened"


class Action(StrEnum):
    """Something staff, a citizen or the escalation job does to a request."""

    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    NOTE = "note"
    NOTIFY = "notify"
    ESCALATE = "escalate"
    CLOSE = "close"
    REOPEN = "reopen"
    RATE = "rate"


class Resolution(StrEnum):
    """How a closed request ended."""

    FIXED = "fixed"
    DUPLICATE = "duplicate"
    NOT_MUNICIPAL_RESPONSIBILITY = "not_municipal_responsibility"
    NO_FURTHER_ACTION = "no_further_action"
    CANCELLED = "cancelled"


OPEN = frozenset(Status) - {Status.CLOSED}
ACTIVE = OPEN - {Status.ON_HOLD}

#: For each action: the statuses it may start from, and the status it leads to
#: (None: the status does not change; RESUME returns to the status the hold interrupted).
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACKNOWLEDGE: (frozenset({Status.RECEIVED, Status.REOPENED}), Status.ACKNOWLEDGED),
    Action.ASSIGN: (ACTIVE, Status.ASSIGNED),
    Action.START: (ACTIVE - {Status.IN_PROGRESS}, Status.IN_PROGRESS),
    Action.HOLD: (ACTIVE, Status.ON_HOLD),
    Action.RESUME: (frozenset({Status.ON_HOLD}), None),
    Action.NOTE: (frozenset(Status), None),
    Action.NOTIFY: (OPEN, None),
    Action.ESCALATE: (ACTIVE, None),
    Action.CLOSE: (OPEN, Status.CLOSED),
    Action.REOPEN: (frozenset({Status.CLOSED}), Status.REOPENED),
    Action.RATE: (frozenset({Status.CLOSED}), None),
}


def open311_status(status: str) -> str:
    """The Open311 status (open or closed) of a geosvc status.

    >>> open311_status("on_hold"), open311_status("closed")
    ('open', 'closed')
    """
    return "closed" if status == Status.CLOSED else "open"


def next_status(action: Action, current: str, resume_to: str | None = None) -> str:
    """The status after ``action`` in ``current``; refuses an action the status does not allow.

    >>> next_status(Action.ACKNOWLEDGE, "received")
    'acknowledged'
    >>> next_status(Action.REOPEN, "in_progress")
    Traceback (most recent call last):
    ...
    geosvc.errors.ConflictError: Cannot reopen a request that is in_progress; \
only a closed request can be reopened.
    """
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise ConflictError(
            f"Cannot {action.value} a request that is {current}; {_allowed_phrase(action)}."
        )
    if action is Action.RESUME:
        return resume_to or Status.RECEIVED.value
    return str(target or current)


def _allowed_phrase(action: Action) -> str:
    allowed, _ = TRANSITIONS[action]
    if allowed == frozenset({Status.CLOSED}):
        return f"only a closed request can be {_past(action)}"
    if allowed == OPEN:
        return "the request is closed"
    names = ", ".join(sorted(s.value for s in allowed))
    return f"it must be one of: {names}"


def _past(action: Action) -> str:
    return {Action.REOPEN: "reopened", Action.RATE: "rated"}.get(action, action.value + "ed")
