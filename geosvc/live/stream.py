"""A Server-Sent Events stream of the live event log: replay after an id, then live.

The stream subscribes to the hub *before* it reads the events to replay, so an event that
commits meanwhile is both read and queued, and is sent once (the replayed ids are kept to
drop the queued copies): nothing falls between replay and live. Each event is sent as::

    id: <live_event.id>
    event: <topic>
    data: <payload as JSON>

A ``reset`` event tells the client that the log cannot bring it up to date (it asked for
ids the log no longer holds, or ids from a database that was since replaced): reload the
board's lists. Comments keep idle connections open through proxies.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine

from geosvc.live.events import LiveEvent, event_bounds, read_events
from geosvc.live.hub import EventHub, Subscription, SubscriptionClosedError


class EventStore(Protocol):
    """Where a stream reads the events to replay."""

    async def bounds(self) -> tuple[int, int]:
        """The smallest and largest id held."""
        ...

    async def read(self, after: int, limit: int) -> list[LiveEvent]:
        """The events after ``after``, oldest first, at most ``limit``."""
        ...


class EngineEventStore:
    """Reads the event log through a SQLAlchemy engine in a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def bounds(self) -> tuple[int, int]:
        """The smallest and largest id in the log."""
        return await asyncio.to_thread(self._bounds)

    async def read(self, after: int, limit: int) -> list[LiveEvent]:
        """The events after ``after``, oldest first."""
        return await asyncio.to_thread(self._read, after, limit)

    def _bounds(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            return event_bounds(conn)

    def _read(self, after: int, limit: int) -> list[LiveEvent]:
        with self.engine.connect() as conn:
            return read_events(conn, after, limit)


@dataclass(frozen=True)
class StreamOptions:
    """How a stream paces itself."""

    heartbeat_s: float = 15.0
    retry_ms: int = 3000
    page: int = 500
    check_s: float = 0.5  # how often the stream asks whether the server is stopping


def format_event(event: LiveEvent) -> str:
    """``event`` in the text/event-stream format."""
    data = json.dumps(event.payload, separators=(",", ":"), default=str)
    return f"id: {event.id}\nevent: {event.topic}\ndata: {data}\n\n"


def _reset(reason: str, newest: int) -> str:
    data = json.dumps({"reason": reason, "last_event_id": newest})
    return f"event: reset\ndata: {data}\n\n"


async def event_stream(
    hub: EventHub,
    store: EventStore,
    after: int | None,
    options: StreamOptions = StreamOptions(),
    stopping: Callable[[], bool] = lambda: False,
) -> AsyncIterator[str]:
    """The stream's text: a retry hint, the events after ``after`` (none when None), then
    every new event until the client leaves, the hub closes or ``stopping()`` is true."""
    subscription = hub.subscribe()
    try:
        yield f"retry: {options.retry_ms}\n: geosvc live events\n\n"
        sent: set[int] = set()
        if after is not None:
            async for chunk in _replay(store, after, sent, options):
                yield chunk
        async for chunk in _live(subscription, sent, options, stopping):
            yield chunk
    finally:
        hub.unsubscribe(subscription)


async def _replay(
    store: EventStore, after: int, sent: set[int], options: StreamOptions
) -> AsyncIterator[str]:
    oldest, newest = await store.bounds()
    if after > newest:
        yield _reset("the event log is behind the id the client gave", newest)
        return
    if oldest > after + 1:
        yield _reset("the events after the id the client gave were pruned", newest)
        return
    while True:
        events = await store.read(after, options.page)
        for event in events:
            sent.add(event.id)
            yield format_event(event)
        if len(events) < options.page:
            break
        after = events[-1].id
        _keep_newest(sent)
    _keep_newest(sent)


def _keep_newest(sent: set[int], keep: int = 1000) -> None:
    """Forget all but the newest replayed ids: only events that committed as the stream
    subscribed can come again live, and those are the newest of the replay."""
    if len(sent) > keep:
        newest = sorted(sent)[-keep:]
        sent.clear()
        sent.update(newest)


async def _live(
    subscription: Subscription,
    sent: set[int],
    options: StreamOptions,
    stopping: Callable[[], bool],
) -> AsyncIterator[str]:
    last_write = time.monotonic()
    while not stopping():
        idle = time.monotonic() - last_write
        wait = max(0.0, min(options.check_s, options.heartbeat_s - idle))
        try:
            event = await subscription.next(wait)
        except SubscriptionClosedError:
            return
        if event is None:
            if time.monotonic() - last_write >= options.heartbeat_s:
                last_write = time.monotonic()
                yield ": keep-alive\n\n"
            continue
        if event.id in sent:
            sent.discard(event.id)
            continue
        last_write = time.monotonic()
        yield format_event(event)
