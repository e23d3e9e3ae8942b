"""GET /api/stream over real HTTP: roles, replay from Last-Event-ID, live events, one listener."""

from __future__ import annotations

import json
import queue
import time

import httpx
import pytest
from sqlalchemy import text

from geosvc.live.events import event_bounds, publish
from geosvc.live.hub import APPLICATION_NAME
from tests.conftest import LiveServer
from tests.live.conftest import PERSONAL, LiveDb, lodge
from tests.live.sse_client import SseReader
from tests.requests.conftest import JOBURG


def _newest(live_db: LiveDb) -> int:
    with live_db.engine.connect() as conn:
        return event_bounds(conn)[1]


def _publish(live_db: LiveDb, count: int) -> list[int]:
    ids = []
    for n in range(count):
        with live_db.engine.begin() as conn:
            ids.append(publish(conn, "cluster", {"key": -n, "n": n}))
    return ids


def test_the_stream_needs_the_warroom_role(live_db: LiveDb, board_server: LiveServer) -> None:
    url = f"{board_server.url}/api/stream"
    anonymous = httpx.get(url)
    assert anonymous.status_code == 401
    assert "warroom" in anonymous.json()["detail"]
    agent = httpx.get(url, headers={"X-API-Key": live_db.agent_key})
    assert agent.status_code == 403
    with SseReader(url, live_db.warroom_key) as reader:
        assert reader.status == 200
        assert reader.content_type.startswith("text/event-stream")
        assert reader.opened.wait(5)
        assert reader.retry_ms == 3000


def test_a_bad_last_event_id_is_refused(live_db: LiveDb, board_server: LiveServer) -> None:
    headers = {"X-API-Key": live_db.warroom_key, "Last-Event-ID": "yesterday"}
    answer = httpx.get(f"{board_server.url}/api/stream", headers=headers)
    assert answer.status_code == 422
    assert "Last-Event-ID" in answer.json()["detail"]


def test_events_after_last_event_id_are_replayed_in_order_then_live(
    live_db: LiveDb, board_server: LiveServer
) -> None:
    before = _newest(live_db)
    earlier = _publish(live_db, 4)
    url = f"{board_server.url}/api/stream"
    with SseReader(url, live_db.warroom_key, last_event_id=str(earlier[1])) as reader:
        replayed = reader.take(2)
        later = _publish(live_db, 3)
        live = reader.take(3)
    assert [int(e.id or 0) for e in replayed] == earlier[2:]
    assert [int(e.id or 0) for e in live] == later
    assert {e.event for e in replayed + live} == {"cluster"}
    assert [e.payload["n"] for e in replayed + live] == [2, 3, 0, 1, 2]
    # The parameter does the same for a first connection; the header wins over it.
    query = {"last_event_id": before}
    with SseReader(url, live_db.warroom_key, params=query) as reader:
        assert [int(e.id or 0) for e in reader.take(7)] == earlier + later
    with SseReader(url, live_db.warroom_key, str(later[1]), params=query) as reader:
        assert [int(e.id or 0) for e in reader.take(1)] == later[2:]


def test_nothing_is_lost_or_repeated_between_replay_and_live(
    live_db: LiveDb, board_server: LiveServer
) -> None:
    start = _newest(live_db)
    _publish(live_db, 200)  # a replay long enough that events commit while it is sent
    with SseReader(
        f"{board_server.url}/api/stream", live_db.warroom_key, last_event_id=str(start)
    ) as reader:
        during = _publish(live_db, 20)
        received = [int(e.id or 0) for e in reader.take(220, timeout=20)]
        with pytest.raises(queue.Empty):
            reader.next(0.7)  # and nothing twice
    assert received == list(range(start + 1, start + 221))
    assert received[-20:] == during


def test_a_request_lodged_through_open311_reaches_the_board_at_once(
    live_db: LiveDb, board_server: LiveServer
) -> None:
    form = {
        "api_key": live_db.open311_key,
        "service_code": "water_leak",
        "lat": str(JOBURG[1]),
        "long": str(JOBURG[0] + 0.02),
        **PERSONAL,
    }
    with SseReader(f"{board_server.url}/api/stream", live_db.warroom_key) as reader:
        started = time.monotonic()
        answer = httpx.post(f"{board_server.url}/open311/v2/requests.json", data=form)
        assert answer.status_code == 200, answer.text
        reference = answer.json()[0]["service_request_id"]
        event = reader.until(lambda e: e.event == "request" and e.payload["event"] == "received")
        latency = time.monotonic() - started
    assert event.payload["reference"] == reference
    assert event.payload["service_code"] == "water_leak"
    assert event.payload["ward_code"]
    assert latency < 2.0, f"the event took {latency:.2f} s"
    for name, value in PERSONAL.items():
        assert value not in event.data, f"{name} reached the stream"


def test_every_stream_shares_one_listener_and_leaves_nothing_behind(
    live_db: LiveDb, board_server: LiveServer
) -> None:
    hub = board_server.app.state.live_hub
    url = f"{board_server.url}/api/stream"
    readers = [SseReader(url, live_db.warroom_key) for _ in range(5)]
    try:
        # A stream subscribes before its first block, but after the headers the reader
        # returns on: wait for every first block before counting the subscribers.
        assert all(reader.opened.wait(5) for reader in readers)
        assert hub.subscribers == 5
        with live_db.engine.connect() as conn:
            listeners = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :name"
                ),
                {"name": APPLICATION_NAME},
            ).scalar_one()
        assert listeners == 1
        record = lodge(live_db.engine, "pothole", lon=JOBURG[0] - 0.02)
        for reader in readers:
            event = reader.until(lambda e: e.payload.get("reference") == record.reference)
            assert json.loads(event.data)["event"] == "received"
    finally:
        for reader in readers:
            reader.close()
    deadline = time.monotonic() + 5
    while hub.subscribers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.subscribers == 0  # every disconnected client's stream ended


def test_an_id_from_another_database_asks_for_a_reload(
    live_db: LiveDb, board_server: LiveServer
) -> None:
    newest = _newest(live_db)
    ahead = str(newest + 1000)
    with SseReader(f"{board_server.url}/api/stream", live_db.warroom_key, ahead) as reader:
        reset = reader.next()
        (later,) = _publish(live_db, 1)
        assert int(reader.next().id or 0) == later
    assert reset.event == "reset"
    assert reset.payload["last_event_id"] == newest
