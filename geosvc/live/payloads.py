"""Live event payloads as JSON: datetimes in ISO 8601 UTC, decimals as floats.

Every view that goes on the bus or into the war room's lists (a request's, a live
cluster's) is encoded here, so the page merges events and lists without translating.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def jsonable(row: Mapping[Any, Any]) -> dict[str, Any]:
    """``row`` with datetimes as ISO 8601 UTC strings and decimals as floats."""
    return {str(key): _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
