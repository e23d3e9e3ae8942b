"""The stream's text: replay after an id, then live, nothing twice and nothing missed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from geosvc.live.events import LiveEvent
from geosvc.live.hub import EventHub
from geosvc.live.stream import StreamOptions, event_stream, format_event

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FAST = StreamOptions(heartbeat_s=0.05, page=2, check_s=0.01)


def _event(event_id: int, topic: str = "request") -> LiveEvent:
    return LiveEvent(event_id, topic, {"reference": f"R{event_id}"}, NOW)


class FakeStore:
    """An event log in memory; ``on_read`` runs before each read (to publish meanwhile)."""

    def __init__(self, events: list[LiveEvent], on_read: object = None) -> None:
        self.events = events
        self.on_read = on_read
        self.reads: list[int] = []

    async def bounds(self) -> tuple[int, int]:
        ids = [e.id for e in self.events]
        return (min(ids), max(ids)) if ids else (0, 0)

    async def read(self, after: int, limit: int) -> list[LiveEvent]:
        self.reads.append(after)
        if callable(self.on_read):
            self.on_read()
        return [e for e in self.events if e.id > after][:limit]


def _hub() -> EventHub:
    """A hub that is never started: the tests hand it events as its listener would."""
    return EventHub("postgresql://nobody@127.0.0.1:1/none")


async def _collect(stream: AsyncIterator[str], chunks: int) -> list[str]:
    out = []
    async for chunk in stream:
        out.append(chunk)
        if len(out) == chunks:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    return out


def _ids(chunks: list[str]) -> list[int]:
    return [int(c.split("\n")[0][4:]) for c in chunks if c.startswith("id: ")]


def test_an_event_is_written_as_id_event_and_data() -> None:
    text = format_event(LiveEvent(7, "cluster", {"key": 3, "wards": ["1"]}, NOW))
    assert text == 'id: 7\nevent: cluster\ndata: {"key":3,"wards":["1"]}\n\n'


def test_the_replay_is_paged_and_followed_by_live_events_without_repeats() -> None:
    hub = _hub()
    log = [_event(n) for n in range(1, 6)]

    def meanwhile() -> None:
        # Events that commit while the replay reads: 5 is read *and* queued, 6 only queued.
        if len(store.reads) == 1:
            hub._deliver(log[4])
            hub._deliver(_event(6))

    store = FakeStore(log, on_read=meanwhile)

    async def main() -> list[str]:
        stream = event_stream(hub, store, after=2, options=FAST)
        return await _collect(stream, 5)

    chunks = asyncio.run(main())
    assert chunks[0].startswith("retry: 3000\n")
    assert _ids(chunks) == [3, 4, 5, 6]
    assert store.reads == [2, 4]  # pages of two
    assert hub.subscribers == 0  # the stream unsubscribed when it ended


def test_without_an_id_the_stream_only_goes_live() -> None:
    hub = _hub()
    store = FakeStore([_event(1), _event(2)])

    async def main() -> list[str]:
        stream = event_stream(hub, store, after=None, options=FAST)
        first = await stream.__anext__()
        hub._deliver(_event(3))
        return [first, *await _collect(stream, 1)]

    chunks = asyncio.run(main())
    assert _ids(chunks) == [3]
    assert store.reads == []


def test_an_id_the_log_has_not_reached_asks_for_a_reload() -> None:
    chunks = asyncio.run(_collect(event_stream(_hub(), FakeStore([_event(1)]), 99, FAST), 2))
    assert chunks[1].startswith("event: reset\n")
    assert '"last_event_id": 1' in chunks[1]


def test_pruned_events_ask_for_a_reload() -> None:
    store = FakeStore([_event(40), _event(41)])
    chunks = asyncio.run(_collect(event_stream(_hub(), store, 10, FAST), 2))
    assert chunks[1].startswith("event: reset\n")
    assert "pruned" in chunks[1]
    assert store.reads == []


def test_an_idle_stream_sends_keep_alive_comments() -> None:
    chunks = asyncio.run(_collect(event_stream(_hub(), FakeStore([]), None, FAST), 3))
    assert chunks[1:] == [": keep-alive\n\n", ": keep-alive\n\n"]


def test_the_stream_ends_when_the_server_stops_or_the_hub_closes() -> None:
    stopping = False

    async def until_stopped() -> list[str]:
        nonlocal stopping
        stream = event_stream(_hub(), FakeStore([]), None, FAST, stopping=lambda: stopping)
        first = await stream.__anext__()
        stopping = True
        return [first] + [chunk async for chunk in stream if not chunk.startswith(":")]

    assert len(asyncio.run(until_stopped())) == 1

    async def until_closed() -> list[str]:
        hub = _hub()
        stream = event_stream(hub, FakeStore([]), None, FAST)
        first = await stream.__anext__()
        await hub.close()
        return [first] + [chunk async for chunk in stream if not chunk.startswith(":")]

    assert len(asyncio.run(until_closed())) == 1
