"""Keeping live clusters current: LISTEN for request events, re-cluster what they touch.

The worker is a thread, not an asyncio task: its work (reading incidents, DBSCAN) blocks,
and psycopg's ``notifies`` blocks too. It listens on ``geosvc_live``; each ``request`` event
names its service type, which is re-clustered (events arriving together are handled
together; the worker's own ``cluster`` events are ignored). Every ``live_refresh_s`` it
re-clusters every service type, which catches what sends no event (bulk imports, incidents
ageing out of the window), and prunes the live event log of events older than
``live_event_keep_days``. A lost connection is logged and retried.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta

import psycopg
from sqlalchemy import Engine

from geosvc.analytics.jobs.live_clusters import LiveUpdate, cluster_params, update_live_clusters
from geosvc.analytics.repo.live_events import request_services
from geosvc.config import Settings
from geosvc.live.events import LIVE_CHANNEL, Topic, prune_events
from geosvc.live.repo import listen_blocking

log = logging.getLogger("geosvc.live")
_GATHER_S = 0.05  # after a first event, wait this long for others sent with it
_RETRY_S = 2.0


def refresh_services(
    engine: Engine, settings: Settings, services: set[str] | None = None
) -> list[LiveUpdate]:
    """Re-cluster ``services`` (default: every service type), one transaction each."""
    with engine.connect() as conn:
        params = cluster_params(conn, settings)
    updates = []
    for code in sorted(params if services is None else services & params.keys()):
        with engine.begin() as conn:
            updates.append(update_live_clusters(conn, code, params[code], settings.live_window_h))
    return updates


def services_of(engine: Engine, event_ids: set[int]) -> set[str]:
    """The service types of the request events ``event_ids`` of the live event log."""
    with engine.connect() as conn:
        return request_services(conn, event_ids)


def prune_log(engine: Engine, settings: Settings) -> int:
    """Delete the live events older than the settings keep; returns how many."""
    with engine.begin() as conn:
        return prune_events(conn, timedelta(days=settings.live_event_keep_days))


class LiveClusterWorker:
    """A background thread that keeps ``live_cluster`` current until ``stop``."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-clusters", daemon=True)
        self.updates = 0

    def start(self) -> None:
        """Start listening and clustering."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception:
                log.exception("live clusters stopped; retrying in %.0f s", _RETRY_S)
                self._stop.wait(_RETRY_S)

    def _listen(self) -> None:
        url = self.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            listen_blocking(conn, LIVE_CHANNEL)
            self._refresh(None)
            next_full = time.monotonic() + self.settings.live_refresh_s
            while not self._stop.is_set():
                wait = max(0.0, min(0.5, next_full - time.monotonic()))
                ids = self._request_ids(conn, wait)
                if ids:
                    self._refresh(services_of(self.engine, ids))
                if time.monotonic() >= next_full:
                    self._refresh(None)
                    next_full = time.monotonic() + self.settings.live_refresh_s

    def _request_ids(self, conn: psycopg.Connection[object], wait: float) -> set[int]:
        """The ids of the request events announced within ``wait`` (and just after the first)."""
        ids: set[int] = set()
        for notice in conn.notifies(timeout=wait, stop_after=1):
            ids.add(_request_event_id(notice.payload))
        ids.discard(-1)
        if ids:
            for notice in conn.notifies(timeout=_GATHER_S):
                ids.add(_request_event_id(notice.payload))
            ids.discard(-1)
        return ids

    def _refresh(self, services: set[str] | None) -> None:
        if services is None:
            pruned = prune_log(self.engine, self.settings)
            if pruned:
                log.info("pruned %d live events", pruned)
        for update in refresh_services(self.engine, self.settings, services):
            self.updates += 1
            if update.changed:
                log.info(
                    "live clusters of %s: %d clusters, %d changed, %d closed",
                    update.service_code,
                    update.clusters,
                    update.changed,
                    update.closed,
                )


def _request_event_id(payload: str) -> int:
    """The id a ``request`` event's notification names; -1 for any other notification."""
    try:
        message = json.loads(payload)
        return int(message["id"]) if message.get("topic") == Topic.REQUEST.value else -1
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignored a %s notification that names no event", LIVE_CHANNEL)
        return -1
