"""``GET /api/stream``: the war room's live events as Server-Sent Events.

One ``EventHub`` per server LISTENs on PostgreSQL with a single connection and feeds every
open stream (``geosvc.live``); the router's lifespan starts and closes it. A stream replays
the events after ``Last-Event-ID`` (the header a reconnecting EventSource sends, or the
``last_event_id`` parameter) and then goes live.

uvicorn waits for open responses to finish before it runs the application's shutdown, so a
stream cannot wait for that to end: it asks uvicorn's signal handler whether the server is
stopping (as sse-starlette does) and ends within half a second of SIGINT or SIGTERM.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse

from api.auth import WarroomDep
from geosvc.config import Settings
from geosvc.errors import InvalidInputError
from geosvc.live.hub import EventHub
from geosvc.live.stream import EngineEventStore, StreamOptions, event_stream

_EXAMPLE = (
    "retry: 3000\n\n"
    "id: 1042\nevent: request\n"
    'data: {"event_id":5512,"event":"received","reference":"GSV-2611-000123",...}\n\n'
    "id: 1043\nevent: cluster\n"
    'data: {"key":17,"service_code":"water_outage","state":"growing","count":14,...}\n\n'
    ": keep-alive\n\n"
)


@asynccontextmanager
async def live_hub(app: FastAPI) -> AsyncIterator[None]:
    """Start the server's event hub with the application and close it at shutdown."""
    settings: Settings = app.state.settings
    hub = EventHub(settings.database_url, gap_wait_s=settings.live_gap_wait_s)
    hub.start()
    app.state.live_hub = hub
    try:
        yield
    finally:
        await hub.close()


router = APIRouter(prefix="/api", tags=["war room"], lifespan=live_hub)


def server_stopping() -> bool:
    """Whether the uvicorn server of this process was told to stop by a signal.

    uvicorn (in the main thread) handles SIGINT and SIGTERM with a bound method of its
    Server, whose ``should_exit`` turns true; elsewhere this is always False.
    """
    for number in (signal.SIGTERM, signal.SIGINT):
        server = getattr(signal.getsignal(number), "__self__", None)
        if getattr(server, "should_exit", False) is True:
            return True
    return False


def _resume_from(header: str | None, query: int | None) -> int | None:
    """The id to replay after: the header (a reconnecting EventSource's) wins."""
    if header is None or not header.strip():
        return query
    value = header.strip()
    if not value.isdigit():
        raise InvalidInputError(
            f"Last-Event-ID must be an event id (a whole number), not {value!r}."
        )
    return int(value)


@router.get(
    "/stream",
    summary="Live war-room events (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "text/event-stream: `request` events carry a RequestEvent, "
            "`cluster` events a Cluster (see the war-room schemas); `reset` asks the "
            "client to reload GET /api/warroom/summary.",
            "content": {"text/event-stream": {"example": _EXAMPLE}},
        },
        401: {"description": "No credentials."},
        403: {"description": "The caller lacks the warroom role."},
    },
)
async def stream(
    request: Request,
    _warroom: WarroomDep,
    last_event_id: Annotated[
        int | None,
        Query(ge=0, description="Replay the events after this id first.", examples=[1041]),
    ] = None,
    last_event_id_header: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="Sent by a reconnecting EventSource; wins over the parameter.",
        ),
    ] = None,
) -> StreamingResponse:
    """Each event has `id:` (the live_event id), `event:` (its topic) and `data:` (JSON).
    Events after `Last-Event-ID` are replayed first, then new ones follow as they commit;
    a comment every 15 seconds keeps the connection open."""
    after = _resume_from(last_event_id_header, last_event_id)
    settings: Settings = request.app.state.settings
    options = StreamOptions(heartbeat_s=settings.stream_heartbeat_s)
    body = event_stream(
        request.app.state.live_hub,
        EngineEventStore(request.app.state.engine),
        after,
        options,
        stopping=server_stopping,
    )
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
