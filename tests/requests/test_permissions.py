"""Who may do what to a request: the staff API's actions, agents' share, citizens' rating."""

from __future__ import annotations

from datetime import datetime

import pytest

from geosvc.accounts.roles import Principal, Role
from geosvc.errors import PermissionDeniedError
from geosvc.requests.permissions import StaffAction, may_rate, require_for
from geosvc.requests.transitions import Action, Status


def test_staff_actions_are_every_action_but_escalating_and_rating() -> None:
    by_staff = [a for a in Action if a not in {Action.ESCALATE, Action.RATE}]
    assert [(a.name, a.value) for a in StaffAction] == [(a.name, a.value) for a in by_staff]


@pytest.mark.parametrize("action", list(StaffAction))
def test_an_agent_may_only_note_and_notify(action: StaffAction) -> None:
    agent = Principal("caller desk", Role.AGENT)
    staff = Principal("officer", Role.STAFF)
    assert require_for(staff, Action(action.value)) is staff
    if action.value in {"note", "notify"}:
        assert require_for(agent, Action(action.value)) is agent
    else:
        with pytest.raises(PermissionDeniedError, match="needs the staff role"):
            require_for(agent, Action(action.value))


@pytest.mark.parametrize("status", list(Status))
def test_only_a_closed_request_not_yet_rated_may_be_rated(status: Status) -> None:
    assert may_rate(status.value, None) == (status is Status.CLOSED)
    assert not may_rate(status.value, datetime(2026, 3, 2, 10, 0))
