"""The one way a request changes: ``change_request``, which checks, applies and logs.

Every status change, note, customer notice, escalation and rating goes through here, so
the ``request_event`` log is complete: who did what, when, from which status to which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from geosvc.errors import ConflictError, InvalidInputError
from geosvc.live.events import Topic, publish_many
from geosvc.requests.permissions import may_rate
from geosvc.requests.repo.catalogue import service_target_days
from geosvc.requests.repo.events import insert_event
from geosvc.requests.repo.requests import (
    RequestRecord,
    get_request,
    open_duplicate_ids,
    request_event_view,
    update_request,
)
from geosvc.requests.standards import Breach, DueDates, Targets, due_dates, extend_for_hold
from geosvc.requests.transitions import Action, Resolution, Status, next_status
from geosvc.requests.working_days import WorkingCalendar

EVENT_KIND = {
    Action.ACKNOWLEDGE: "acknowledged",
    Action.ASSIGN: "assigned",
    Action.START: "status",
    Action.HOLD: "on_hold",
    Action.RESUME: "resumed",
    Action.NOTE: "note",
    Action.NOTIFY: "customer_notified",
    Action.ESCALATE: "escalated",
    Action.CLOSE: "closed",
    Action.REOPEN: "reopened",
    Action.RATE: "rated",
}
# What a citizen sees of the history by default; staff may make a note public.
PUBLIC_BY_DEFAULT = frozenset(
    {
        Action.ACKNOWLEDGE,
        Action.START,
        Action.HOLD,
        Action.RESUME,
        Action.NOTIFY,
        Action.CLOSE,
        Action.REOPEN,
    }
)
NEEDS_NOTE = {
    Action.HOLD: "a reason for the hold",
    Action.NOTE: "the note",
    Action.NOTIFY: "the message sent to the customer",
    Action.REOPEN: "why the request is reopened",
}


@dataclass(frozen=True)
class Change:
    """One change to a request, as asked for by ``actor``."""

    action: Action
    actor: str
    note: str = ""
    public: bool | None = None
    assignee: str | None = None
    resolution: Resolution | None = None
    rating: int | None = None
    resolved: bool | None = None
    recommend: int | None = None
    breach: Breach | None = None

    def __post_init__(self) -> None:
        # Callers (API, CLI) pass plain strings; an unknown resolution is named, not a crash.
        if self.resolution is not None and not isinstance(self.resolution, Resolution):
            try:
                object.__setattr__(self, "resolution", Resolution(self.resolution))
            except ValueError:
                names = ", ".join(r.value for r in Resolution)
                raise InvalidInputError(
                    f"resolution must be one of {names}, not {self.resolution!r}."
                ) from None


def change_request(
    conn: Connection,
    key: int | str,
    change: Change,
    calendar: WorkingCalendar,
    now: datetime | None = None,
) -> RequestRecord:
    """Apply ``change`` to the request with id or reference ``key``, log it, return the result.

    Raises ConflictError when the request's status does not allow the action and
    InvalidInputError when the change lacks what the action needs (a note, an assignee,
    a resolution, a rating). Runs in the caller's transaction with the request row locked.
    """
    now = now or datetime.now(UTC)
    _check_change(change)
    record = get_request(conn, key, lock=True)
    status = next_status(change.action, record.status, record.resume_status)
    updates, data = _updates(conn, change, record, calendar, now)
    updates |= {"status": status, "updated_at": now}
    if change.action is not Action.NOTE and change.note and _is_public(change):
        updates["status_notes"] = change.note
    update_request(conn, record.id, updates)
    log_event(
        conn,
        record.id,
        EVENT_KIND[change.action],
        change.actor,
        at=now,
        status_from=record.status,
        status_to=status,
        note=change.note,
        public=_is_public(change),
        data=data,
    )
    if change.action is Action.CLOSE:
        _close_duplicates(conn, record, change, calendar, now)
    return get_request(conn, record.id)


def log_event(
    conn: Connection,
    request_id: int,
    kind: str,
    actor: str,
    *,
    at: datetime,
    status_from: str | None = None,
    status_to: str | None = None,
    note: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event to a request's history and tell live listeners (on commit)."""
    event_id = insert_event(
        conn,
        request_id,
        kind,
        actor,
        at=at,
        status_from=status_from,
        status_to=status_to,
        note=note,
        public=public,
        data=data,
    )
    publish_request_event(conn, event_id)


def publish_request_event(conn: Connection, event_id: int) -> int:
    """Publish the ``request_event`` row ``event_id`` on the live bus as the board's view of
    it; returns the live event's id.

    The payload is built here from the row, never passed in, so no caller can leak the
    reporter's details into the log.
    """
    (live_id,) = publish_many(conn, Topic.REQUEST, [request_event_view(conn, event_id)])
    return live_id


def _is_public(change: Change) -> bool:
    return change.public if change.public is not None else change.action in PUBLIC_BY_DEFAULT


def _check_change(change: Change) -> None:
    if not change.actor.strip():
        raise InvalidInputError("Every change needs the name of who made it.")
    if change.action in NEEDS_NOTE and not change.note.strip():
        raise InvalidInputError(
            f"To {change.action.value} a request, give {NEEDS_NOTE[change.action]}."
        )
    if change.action is Action.ASSIGN and not (change.assignee or "").strip():
        raise InvalidInputError("To assign a request, name the officer or team it goes to.")
    if change.action is Action.CLOSE and change.resolution is None:
        raise InvalidInputError(
            "To close a request, give its resolution: "
            + ", ".join(r.value for r in Resolution)
            + "."
        )
    if change.action is Action.RATE and not (change.rating and 1 <= change.rating <= 5):
        raise InvalidInputError("A rating is a whole number from 1 to 5.")
    if change.recommend is not None and not 0 <= change.recommend <= 10:
        raise InvalidInputError("How likely to recommend is a whole number from 0 to 10.")
    if change.action is Action.ESCALATE and change.breach is None:
        raise InvalidInputError("An escalation needs the breach it answers.")


def _updates(
    conn: Connection,
    change: Change,
    record: RequestRecord,
    calendar: WorkingCalendar,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns ``change`` sets, and the data its event records."""
    match change.action:
        case Action.ACKNOWLEDGE:
            return {"acknowledged_at": record.acknowledged_at or now}, {}
        case Action.ASSIGN:
            return {"assigned_to": change.assignee}, {"assignee": change.assignee}
        case Action.HOLD:
            return {"on_hold_since": now, "resume_status": record.status}, {}
        case Action.RESUME:
            return _resume(record, calendar, now)
        case Action.NOTIFY:
            return {"notified_at": now}, {}
        case Action.ESCALATE:
            return _escalate(record, change, now)
        case Action.CLOSE:
            resolution = change.resolution.value if change.resolution else None
            hold = {"on_hold_since": None, "resume_status": None}
            return {"closed_at": now, "resolution": resolution} | hold, {"resolution": resolution}
        case Action.REOPEN:
            return _reopen(conn, record, calendar, now), {}
        case Action.RATE:
            return _rate(record, change, now)
    return {}, {}


def _resume(
    record: RequestRecord, calendar: WorkingCalendar, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    updates: dict[str, Any] = {"on_hold_since": None, "resume_status": None}
    due = _stored_due(record)
    if due is None or record.on_hold_since is None:
        return updates, {"paused_working_days": 0}
    moved, paused = extend_for_hold(calendar, due, record.on_hold_since, now)
    updates |= {
        "acknowledge_due_at": moved.acknowledge,
        "notify_due_at": moved.notify,
        "due_at": moved.complete,
    }
    return updates, {"paused_working_days": paused, "due_at": moved.complete.isoformat()}


def _stored_due(record: RequestRecord) -> DueDates | None:
    if record.due_at is None or record.acknowledge_due_at is None or record.notify_due_at is None:
        return None
    return DueDates(record.acknowledge_due_at, record.notify_due_at, record.due_at)


def _escalate(
    record: RequestRecord, change: Change, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    breach = change.breach.value if change.breach else ""
    if breach in record.escalations:
        raise ConflictError(f"{record.reference} has already been escalated for {breach}.")
    updates = {"escalations": [*record.escalations, breach], "escalated_at": now}
    if change.breach is Breach.URGENT:
        updates["priority"] = 1
    return updates, {"breach": breach, "due_at": _iso(record.due_at)}


def _reopen(
    conn: Connection, record: RequestRecord, calendar: WorkingCalendar, now: datetime
) -> dict[str, Any]:
    targets = service_targets(conn, record.service_code)
    due = due_dates(calendar, now, targets) if record.actionable else None
    return {
        "closed_at": None,
        "resolution": None,
        "escalations": [],
        "satisfaction": None,
        "recommend": None,
        "resolved_by_citizen": None,
        "rated_at": None,
        "acknowledge_due_at": due and due.acknowledge,
        "notify_due_at": due and due.notify,
        "due_at": due and due.complete,
    }


def _rate(
    record: RequestRecord, change: Change, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    if not may_rate(record.status, record.rated_at):
        raise ConflictError(f"{record.reference} has already been rated since it was closed.")
    updates = {
        "satisfaction": change.rating,
        "recommend": change.recommend,
        "resolved_by_citizen": change.resolved,
        "feedback": change.note or None,
        "rated_at": now,
    }
    data = {"rating": change.rating, "resolved": change.resolved, "recommend": change.recommend}
    return updates, data


def _close_duplicates(
    conn: Connection,
    parent: RequestRecord,
    change: Change,
    calendar: WorkingCalendar,
    now: datetime,
) -> None:
    """Close the open requests linked to ``parent``: their citizens reported the same thing."""
    children = open_duplicate_ids(conn, parent.id)
    note = change.note or f"Closed with {parent.reference}, which reported the same problem."
    for child in children:
        closing = Change(Action.CLOSE, change.actor, note=note, resolution=change.resolution)
        change_request(conn, int(child), closing, calendar, now)


def service_targets(conn: Connection, service_code: str) -> Targets:
    """The standards of a service type."""
    return Targets(*service_target_days(conn, service_code))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


__all__ = ["Change", "Status", "change_request", "log_event", "service_targets"]
