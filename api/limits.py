"""Refusing an upload larger than the server accepts before reading its body."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import PROBLEM_JSON


class UploadLimit:
    """Answer 413 to a POST under ``prefix`` whose Content-Length exceeds ``max_bytes``.

    Checked before the body is read, so that a CDW on a slow connection is told at once
    rather than after sending 200 MB; an upload without a length is measured once saved.
    """

    def __init__(self, app: ASGIApp, *, prefix: str, max_bytes: int) -> None:
        self.app = app
        self.prefix = prefix
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._too_large(scope):
            await self._refuse(scope, send)
            return
        await self.app(scope, receive, send)

    def _too_large(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        if not str(scope["path"]).startswith(self.prefix):
            return False
        length = dict(scope["headers"]).get(b"content-length", b"")
        return length.isdigit() and int(length) > self.max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        megabytes = self.max_bytes / (1024 * 1024)
        body = json.dumps(
            {
                "type": "urn:geosvc:problem:too-large",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"A survey upload may be at most {megabytes:g} MB; this one is larger. "
                "Split the export into smaller files.",
                "instance": scope["path"],
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
