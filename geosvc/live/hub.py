"""One LISTEN connection per server: the hub hears of new live events and fans them out.

Every open stream subscribes to the hub instead of holding a database connection of its own
(PostgreSQL allows about a hundred; a wall of boards and phones should not use them up). On
each NOTIFY, or every ``poll_s`` in case one was lost, the hub reads the events after the
last it delivered and hands them to each subscriber's queue, in id order.

Ids are taken when an event is inserted but seen when its transaction commits, so a later
id can be seen first. The hub then holds the later events back until the earlier one
commits or ``gap_wait_s`` passes (it may have rolled back and will never come); an earlier
event that commits after that is still delivered, late, when its NOTIFY arrives. A lost
connection is retried; the events committed meanwhile are read when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from geosvc.live import repo
from geosvc.live.events import LIVE_CHANNEL, LiveEvent

log = logging.getLogger("geosvc.live")
_PAGE = 500
APPLICATION_NAME = "geosvc-live-hub"  # how the hub's connection shows in pg_stat_activity
_REMEMBERED = 50_000  # ids delivered recently, to tell a late event from a repeated NOTIFY


class SubscriptionClosedError(Exception):
    """The hub ended a subscription: it is shutting down, or the reader fell too far behind."""


class Subscription:
    """One stream's queue of live events."""

    def __init__(self, max_queued: int) -> None:
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue()
        self._max_queued = max_queued
        self.closed_because: str | None = None

    def put(self, event: LiveEvent) -> None:
        """Queue ``event``; a reader this far behind is closed instead (it can reconnect and
        replay from the database what it missed)."""
        if self.closed_because is not None:
            return
        if self._queue.qsize() >= self._max_queued:
            self.close(f"more than {self._max_queued} events waited to be sent")
            return
        self._queue.put_nowait(event)

    def close(self, reason: str) -> None:
        """End the subscription; the reader gets SubscriptionClosedError."""
        if self.closed_because is None:
            self.closed_because = reason
            self._queue.put_nowait(None)

    async def next(self, timeout: float) -> LiveEvent | None:
        """The next event, or None if none came within ``timeout`` seconds."""
        if self.closed_because is not None and self._queue.empty():
            raise SubscriptionClosedError(self.closed_because)
        try:
            event = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if event is None:
            raise SubscriptionClosedError(self.closed_because or "closed")
        return event


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://...``) as libpq takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class EventHub:
    """Listens on ``geosvc_live`` with one connection and feeds every subscriber."""

    def __init__(
        self,
        url: str,
        *,
        gap_wait_s: float = 0.5,
        poll_s: float = 5.0,
        retry_s: float = 2.0,
        max_queued: int = 10_000,
    ) -> None:
        self.url = libpq_url(url)
        self.gap_wait_s = gap_wait_s
        self.poll_s = poll_s
        self.retry_s = retry_s
        self.max_queued = max_queued
        self.connected = asyncio.Event()
        self.delivered = 0
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._cursor: int | None = None
        self._hole_since: float | None = None
        self._recent: deque[int] = deque(maxlen=_REMEMBERED)
        self._recent_set: set[int] = set()

    @property
    def subscribers(self) -> int:
        """How many streams are subscribed."""
        return len(self._subscribers)

    def start(self) -> None:
        """Start listening in a task of the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="geosvc-live-hub")

    async def close(self) -> None:
        """Stop listening and end every subscription."""
        for subscription in list(self._subscribers):
            subscription.close("the server is shutting down")
        self._subscribers.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected.clear()

    def subscribe(self) -> Subscription:
        """A new subscription to every event delivered from now on."""
        subscription = Subscription(self.max_queued)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget ``subscription`` (a stream that ended)."""
        self._subscribers.discard(subscription)

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError):
                log.warning("the live event listener lost its connection; retrying", exc_info=True)
            except Exception:
                log.exception("the live event listener failed; retrying")
            self.connected.clear()
            await asyncio.sleep(self.retry_s)

    async def _listen(self) -> None:
        connect = psycopg.AsyncConnection.connect
        async with await connect(
            self.url, autocommit=True, application_name=APPLICATION_NAME
        ) as conn:
            await repo.listen(conn, LIVE_CHANNEL)
            await self._start_cursor(conn)
            self.connected.set()
            late: set[int] = set()
            while True:
                await self._scan(conn, late)
                late = set()
                async for notice in conn.notifies(timeout=self._wait(), stop_after=1):
                    late |= self._late(notice.payload)
                # A transaction that commits many events sends as many NOTIFYs: read
                # them all now, for one scan.
                async for notice in conn.notifies(timeout=0):
                    late |= self._late(notice.payload)

    async def _start_cursor(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Deliver from the newest event on; after a reconnection, from where the hub was
        (unless the log went back, as when the database was recreated)."""
        newest = await repo.newest_id(conn)
        if self._cursor is None or newest < self._cursor:
            self._cursor = newest
            self._hole_since = None

    def _wait(self) -> float:
        if self._hole_since is None:
            return self.poll_s
        return max(0.0, self._hole_since + self.gap_wait_s - time.monotonic())

    def _late(self, message: str) -> set[int]:
        """The id a NOTIFY names, if it is behind the cursor and was never delivered."""
        try:
            event_id = int(json.loads(message)["id"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a %s notification without an event id", LIVE_CHANNEL)
            return set()
        assert self._cursor is not None
        if event_id <= self._cursor and event_id not in self._recent_set:
            return {event_id}
        return set()

    async def _scan(self, conn: psycopg.AsyncConnection[Any], late: set[int]) -> None:
        """Deliver what committed since the last scan, in order, holding back after a hole."""
        while True:
            assert self._cursor is not None
            rows = await repo.scan(conn, self._cursor, sorted(late), _PAGE)
            late = set()
            events = [LiveEvent(int(r[0]), r[1], r[2], r[3]) for r in rows]
            if not self._advance(events) or len(rows) < _PAGE:
                return

    def _advance(self, events: Iterable[LiveEvent]) -> bool:
        """Deliver ``events`` (sorted by id) up to the first hole still worth waiting for;
        False when it stopped at such a hole."""
        for event in events:
            assert self._cursor is not None
            if event.id <= self._cursor:
                if event.id not in self._recent_set:
                    self._deliver(event)
                continue
            if event.id != self._cursor + 1 and not self._hole_expired():
                return False
            self._deliver(event)
            self._cursor = event.id
            self._hole_since = None
        return True

    def _hole_expired(self) -> bool:
        now = time.monotonic()
        if self._hole_since is None:
            self._hole_since = now
        return now - self._hole_since >= self.gap_wait_s

    def _deliver(self, event: LiveEvent) -> None:
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(event.id)
        self._recent_set.add(event.id)
        self.delivered += 1
        for subscription in list(self._subscribers):
            subscription.put(event)
