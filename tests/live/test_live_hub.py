"""The hub: one LISTEN connection, events handed on in id order, late ones not lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text

from geosvc.live.events import LiveEvent, publish
from geosvc.live.hub import APPLICATION_NAME, EventHub, Subscription, SubscriptionClosedError
from tests.live.conftest import LiveDb


def _run(
    live_db: LiveDb, scenario: Callable[[EventHub], Awaitable[None]], **options: float
) -> None:
    """Run ``scenario`` against a started hub on the live database."""

    async def main() -> None:
        hub = EventHub(live_db.url, poll_s=0.2, retry_s=0.2, **options)  # type: ignore[arg-type]
        hub.start()
        try:
            await asyncio.wait_for(hub.connected.wait(), 10)
            await scenario(hub)
        finally:
            await hub.close()

    asyncio.run(main())


def _publish(live_db: LiveDb, **payload: object) -> int:
    with live_db.engine.begin() as conn:
        return publish(conn, "cluster", payload)


async def _ids(subscription: Subscription, count: int, timeout: float = 5) -> list[int]:
    deadline = time.monotonic() + timeout
    ids = []
    while len(ids) < count:
        event = await subscription.next(max(0.01, deadline - time.monotonic()))
        assert event is not None, f"only {ids} arrived"
        ids.append(event.id)
    return ids


def test_events_are_delivered_in_order(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscription = hub.subscribe()
        published = [_publish(live_db, n=n) for n in range(5)]
        assert await _ids(subscription, 5) == published

    _run(live_db, scenario)


def test_a_later_event_waits_for_an_earlier_one_to_commit(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscription = hub.subscribe()
        with live_db.engine.connect() as slow:
            transaction = slow.begin()
            first = publish(slow, "cluster", {"slow": True})
            second = _publish(live_db, fast=True)
            assert await subscription.next(1.0) is None  # held back behind the open one
            transaction.commit()
        assert await _ids(subscription, 2) == [first, second]

    _run(live_db, scenario, gap_wait_s=10)


def test_an_event_that_rolled_back_holds_the_others_only_briefly(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscription = hub.subscribe()
        with live_db.engine.connect() as conn:
            transaction = conn.begin()
            publish(conn, "cluster", {"rolled": "back"})
            transaction.rollback()
        started = time.monotonic()
        after = _publish(live_db, kept=True)
        assert await _ids(subscription, 1) == [after]
        assert 0.5 <= time.monotonic() - started < 3

    _run(live_db, scenario, gap_wait_s=0.8)


def test_an_event_committed_after_the_wait_is_delivered_late(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscription = hub.subscribe()
        with live_db.engine.connect() as slow:
            transaction = slow.begin()
            late = publish(slow, "cluster", {"late": True})
            on_time = _publish(live_db, on_time=True)
            assert await _ids(subscription, 1) == [on_time]
            transaction.commit()
        assert await _ids(subscription, 1) == [late]
        assert await subscription.next(0.5) is None  # and only once

    _run(live_db, scenario, gap_wait_s=0.3)


def test_the_hub_catches_up_after_losing_its_connection(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscription = hub.subscribe()
        with live_db.engine.begin() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :name"
                ),
                {"name": APPLICATION_NAME},
            ).scalar_one()
        assert killed == 1  # the hub's one connection
        missed = [_publish(live_db, while_down=n) for n in range(3)]
        assert await _ids(subscription, 3, timeout=10) == missed

    _run(live_db, scenario)


def test_a_reader_too_far_behind_is_cut_off() -> None:
    subscription = Subscription(max_queued=2)
    for n in range(3):
        subscription.put(LiveEvent(n + 1, "cluster", {}, None))  # type: ignore[arg-type]

    async def read() -> list[int]:
        first, second = await subscription.next(1), await subscription.next(1)
        assert first is not None
        assert second is not None
        with pytest.raises(SubscriptionClosedError, match="more than 2 events"):
            await subscription.next(1)
        return [first.id, second.id]

    assert asyncio.run(read()) == [1, 2]


def test_closing_the_hub_ends_every_subscription(live_db: LiveDb) -> None:
    async def scenario(hub: EventHub) -> None:
        subscriptions = [hub.subscribe() for _ in range(3)]
        assert hub.subscribers == 3
        await hub.close()
        for subscription in subscriptions:
            with pytest.raises(SubscriptionClosedError, match="shutting down"):
                await subscription.next(1)

    _run(live_db, scenario)
