"""Public reference numbers for requests: short, unambiguous to read out on the phone."""

from __future__ import annotations

from datetime import datetime


def reference_number(prefix: str, requested_at: datetime, serial: int) -> str:
    """A reference such as ``GSV-2026-0001234``: prefix, year lodged, serial number.

    >>> from datetime import datetime
    >>> reference_number("GSV", datetime(2026, 3, 1), 1234)
    'GSV-2026-0001234'
    """
    return f"{prefix}-{requested_at.year}-{serial:07d}"
