"""A board survives a server restart: the stream ends promptly when the server stops, and
the reconnection (Last-Event-ID, as EventSource sends it) replays what happened meanwhile.

The servers run as ``uvicorn api.main:create_app`` processes, as in production, so SIGTERM
goes through uvicorn's own signal handling.
"""

from __future__ import annotations

import time

from tests.live.conftest import LiveDb, ServerProcess, free_port, lodge
from tests.live.sse_client import SseReader
from tests.requests.conftest import JOBURG


def test_a_reconnection_after_a_restart_misses_nothing(live_db: LiveDb) -> None:
    port = free_port()
    first = ServerProcess(live_db, port)
    second = None
    try:
        reader = SseReader(f"{first.url}/api/stream", live_db.warroom_key)
        seen = lodge(live_db.engine, "pothole", lon=JOBURG[0] + 0.03)
        assert reader.until(lambda e: e.payload.get("reference") == seen.reference)
        took = first.terminate()
        assert reader.ended.wait(2), "the stream outlived the server"
        assert took < 3, f"the server took {took:.1f} s to stop with a stream open"
        reader.close()

        missed = [
            lodge(live_db.engine, "pothole", lon=JOBURG[0] + 0.03 + 0.005 * n) for n in (1, 2)
        ]
        second = ServerProcess(live_db, port)  # the same address, as after a restart
        with SseReader(
            f"{second.url}/api/stream", live_db.warroom_key, reader.last_event_id
        ) as again:
            replayed = [again.next()]
            while replayed[-1].payload["reference"] != missed[-1].reference:
                replayed.append(again.next())
            after = lodge(live_db.engine, "pothole", lon=JOBURG[0] + 0.05)
            live = [again.next()]
        received = [e.payload["reference"] for e in replayed if e.payload["event"] == "received"]
        assert received == [m.reference for m in missed]
        assert live[0].payload["reference"] == after.reference
        ids = [int(e.id or 0) for e in replayed + live]
        assert ids == sorted(ids)
        assert ids[0] > int(reader.last_event_id or 0)
    finally:
        first.kill()
        if second is not None:
            started = time.monotonic()
            second.terminate()
            assert time.monotonic() - started < 5
