"""Telling live listeners what happened: PostgreSQL NOTIFY on a few named channels.

A notification is delivered when the sending transaction commits and never if it rolls back,
so a listener only ever hears of rows it can read. Payloads stay small (PostgreSQL's limit is
8,000 bytes): listeners read the details from the tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, text

REQUESTS_CHANNEL = "geosvc_requests"
CLUSTERS_CHANNEL = "geosvc_clusters"
MAX_PAYLOAD_BYTES = 7_900


def publish(conn: Connection, channel: str, payload: Mapping[str, Any]) -> None:
    """NOTIFY ``channel`` with ``payload`` as JSON when the caller's transaction commits."""
    body = json.dumps(payload, default=str, separators=(",", ":"))
    if len(body.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a {channel} notification of {len(body)} bytes is too large to send")
    conn.execute(text("SELECT pg_notify(:channel, :body)"), {"channel": channel, "body": body})
