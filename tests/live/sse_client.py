"""A small Server-Sent Events client for the tests: reads a stream in a thread.

It parses the text/event-stream format as a browser's EventSource does (``id``, ``event``,
``data``, ``retry`` fields; comments; a blank line ends an event) and remembers the last id,
so a test can reconnect with ``Last-Event-ID`` as EventSource would.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Sse:
    """One event as EventSource hands it to a page."""

    id: str | None
    event: str
    data: str

    @property
    def payload(self) -> Any:
        """The data as JSON."""
        return json.loads(self.data)


@dataclass
class _Fields:
    id: str | None = None
    event: str = "message"
    data: list[str] = field(default_factory=list)


class SseReader:
    """GET ``url`` as a stream and parse it in a background thread."""

    def __init__(
        self,
        url: str,
        key: str | None,
        last_event_id: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        headers = {"Accept": "text/event-stream"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.events: queue.Queue[Sse | None] = queue.Queue()
        self.comments: list[str] = []
        self.retry_ms: int | None = None
        self.last_event_id: str | None = last_event_id
        self.status: int | None = None
        self.content_type = ""
        self.ended = threading.Event()
        self.opened = threading.Event()  # the first block (retry hint, comment) was read
        self._stop = threading.Event()
        self._started = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=30))
        self._thread = threading.Thread(
            target=self._read, args=(url, headers, params or {}), daemon=True
        )
        self._thread.start()
        if not self._started.wait(15):
            raise TimeoutError(f"no answer from {url}")

    def _read(self, url: str, headers: dict[str, str], params: dict[str, Any]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers, params=params) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self._started.set()
                if response.status_code != 200:
                    response.read()
                    return
                self._parse(response)
        except httpx.HTTPError:
            pass
        finally:
            self._started.set()
            self.ended.set()
            self.events.put(None)

    def _parse(self, response: httpx.Response) -> None:
        fields = _Fields()
        for line in response.iter_lines():
            if self._stop.is_set():
                return
            if line == "":
                self.opened.set()
                if fields.data:
                    if fields.id is not None:
                        self.last_event_id = fields.id
                    self.events.put(Sse(fields.id, fields.event, "\n".join(fields.data)))
                fields = _Fields()
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "":
                self.comments.append(value)
            elif name == "id":
                fields.id = value
            elif name == "event":
                fields.event = value
            elif name == "data":
                fields.data.append(value)
            elif name == "retry" and value.isdigit():
                self.retry_ms = int(value)

    def next(self, timeout: float = 10) -> Sse:
        """The next event; fails if none comes within ``timeout`` or the stream ended."""
        event = self.events.get(timeout=timeout)
        if event is None:
            self.events.put(None)
            raise EOFError("the stream ended")
        return event

    def take(self, count: int, timeout: float = 10) -> list[Sse]:
        """The next ``count`` events, within ``timeout`` seconds in all."""
        deadline = time.monotonic() + timeout
        return [self.next(max(0.01, deadline - time.monotonic())) for _ in range(count)]

    def until(self, predicate: Any, timeout: float = 10) -> Sse:
        """The first event for which ``predicate(event)`` is true (skipping others)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            if predicate(event):
                return event

    def close(self) -> None:
        """Stop reading and hang up."""
        self._stop.set()
        self._thread.join(5)
        self._client.close()

    def __enter__(self) -> SseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
