"""Recent demo activity: requests lodged in the last hours, so the war room has something live.

The generated demo set (``geosvc.demo.generator``) ends on a fixed date so that it is the
same on every machine; its requests are long past the live window. This tops the database
up with requests received in the last ``hours``, most of them in a few tight groups (a
water outage in one ward, an electricity outage in another, ...), lodged one by one through
the same intake as a citizen's request, so they get wards, due dates, duplicate links,
escalations and live events like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Connection

from geosvc.demo.repo import populous_ward_points, recent_demo_requests
from geosvc.errors import InvalidInputError
from geosvc.requests.intake import (
    Contact,
    IntakePolicy,
    LocationError,
    NewRequest,
    create_request,
)

DEMO_MARK = "[demo] "
# (service code, answers it needs, description): the groups a war room would see.
GROUPS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("water_outage", {"extent": "street"}, "No water in the street since this morning."),
    ("electricity_outage", {}, "The whole block has no electricity."),
    ("sewer_blockage", {}, "Sewage overflowing from a manhole."),
)
SCATTERED = ("pothole", "streetlight", "refuse_missed", "water_leak")
_METRES_PER_DEGREE = 111_320.0
_ATTEMPTS = 20


@dataclass(frozen=True)
class RecentResult:
    """How many recent requests were there already and how many were lodged now."""

    existing: int
    lodged: int


def lodge_recent(
    conn: Connection,
    policy: IntakePolicy,
    *,
    count: int,
    hours: float = 24.0,
    seed: int = 42,
    now: datetime | None = None,
) -> RecentResult:
    """Top up demo requests received in the last ``hours`` to ``count`` (caller's transaction).

    Running it again soon after lodges only the difference, so ``make demo`` twice does not
    pile up live activity.
    """
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=hours)
    existing = recent_demo_requests(conn, since, DEMO_MARK)
    missing = max(count - existing, 0)
    if missing == 0:
        return RecentResult(existing, 0)
    rng = np.random.default_rng(seed + int(now.timestamp()) // 3600)
    centres = _group_centres(conn, rng, len(GROUPS))
    times = np.sort(rng.uniform(since.timestamp(), now.timestamp(), missing))
    for moment in times:
        _lodge_one(conn, policy, rng, centres, datetime.fromtimestamp(moment, UTC))
    return RecentResult(existing, missing)


def _lodge_one(
    conn: Connection,
    policy: IntakePolicy,
    rng: np.random.Generator,
    centres: list[tuple[float, float]],
    at: datetime,
) -> None:
    """Lodge one request, drawing its point again if it fell outside every ward."""
    for _ in range(_ATTEMPTS):
        try:
            with conn.begin_nested():
                create_request(conn, _new_request(rng, centres), policy, now=at)
            return
        except LocationError:
            continue
    raise InvalidInputError(f"No point inside a ward after {_ATTEMPTS} draws near {centres}")


def _group_centres(conn: Connection, rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    """Interior points of ``n`` populous wards, drawn at random."""
    rows = populous_ward_points(conn)
    if not rows:
        raise InvalidInputError("No wards are loaded; run 'geosvc wards load' first.")
    picks = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return [(float(rows[i].lon), float(rows[i].lat)) for i in picks]


def _new_request(rng: np.random.Generator, centres: list[tuple[float, float]]) -> NewRequest:
    if rng.random() < 0.75:
        group = int(rng.integers(len(centres)))
        service, answers, description = GROUPS[group]
        lon, lat = _jitter(rng, centres[group], spread_m=150.0)
    else:
        service, answers, description = str(rng.choice(SCATTERED)), {}, "Reported nearby."
        anchor = centres[int(rng.integers(len(centres)))]
        lon, lat = _jitter(rng, anchor, spread_m=2_500.0)
    return NewRequest(
        service_code=service,
        lon=lon,
        lat=lat,
        description=DEMO_MARK + description,
        channel=str(rng.choice(["app", "phone", "web", "sms"])),
        contact=Contact(first_name="Demo", phone=f"07{rng.integers(10**7, 10**8)}"),
        answers=dict(answers),
        actor="demo",
    )


def _jitter(
    rng: np.random.Generator, centre: tuple[float, float], spread_m: float
) -> tuple[float, float]:
    dx, dy = rng.normal(0.0, spread_m, 2)
    lon0, lat0 = centre
    lat = lat0 + dy / _METRES_PER_DEGREE
    lon = lon0 + dx / (_METRES_PER_DEGREE * np.cos(np.radians(lat0)))
    return float(lon), float(lat)
