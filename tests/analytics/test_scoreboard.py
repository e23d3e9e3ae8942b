"""The municipal scoreboard: shares, medians, NPS, ranks and suppression checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from geosvc.analytics.scoreboard.measures import scoreboard
from geosvc.errors import InvalidInputError

START = pd.Timestamp("2026-03-02 08:00", tz="Africa/Johannesburg")
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
DAY = pd.Timedelta(days=1)
NAT = pd.NaT
NOW_LOCAL = pd.Timestamp(NOW).tz_convert("Africa/Johannesburg")


def _request(**fields: Any) -> dict[str, Any]:
    """One closed water request in ward 1 of JHB, acknowledged and closed in time."""
    return {
        "municipality_code": "JHB",
        "ward_code": "79800001",
        "service": "water",
        "service_code": "water_leak",
        "status": "closed",
        "requested_at": START,
        "acknowledged_at": START + 0.5 * DAY,
        "acknowledge_due_at": START + DAY,
        "closed_at": START + 2 * DAY,
        "due_at": START + 3 * DAY,
        "working_days_to_close": 2.0,
        "escalations": 0,
        "satisfaction": np.nan,
        "recommend": np.nan,
    } | fields


def _frame(*requests: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(requests))
    for column in ("requested_at", "acknowledged_at", "acknowledge_due_at", "closed_at", "due_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _board(requests: pd.DataFrame, **options: Any) -> pd.DataFrame:
    return scoreboard(requests, now=NOW, min_requests=options.pop("min_requests", 1), **options)


def test_within_standard_shares_count_only_what_was_due() -> None:
    requests = _frame(
        _request(),
        _request(acknowledged_at=START + 2 * DAY),  # late acknowledgement
        _request(acknowledged_at=NAT, status="received", closed_at=NAT),  # never acknowledged
        _request(closed_at=START + 5 * DAY, working_days_to_close=5.0),  # closed late
        # not yet due: acknowledgement and closure due after now, so left out of both shares
        _request(
            acknowledge_due_at=NOW_LOCAL + DAY,
            due_at=NOW_LOCAL + 5 * DAY,
            acknowledged_at=NAT,
            closed_at=NAT,
            status="received",
        ),
        # no due dates (not actionable): left out of both shares
        _request(acknowledge_due_at=NAT, due_at=NAT),
    )
    row = _board(requests).iloc[0]
    assert row["requests"] == 6
    assert row["acknowledged_within_standard"] == pytest.approx(2 / 4)
    assert row["closed_within_standard"] == pytest.approx(2 / 4)
    assert row["composite"] == pytest.approx(0.5)


def test_median_backlog_overdue_and_escalations() -> None:
    requests = _frame(
        _request(working_days_to_close=1.0, escalations=1),
        _request(working_days_to_close=4.0),
        _request(working_days_to_close=10.0, escalations=2),
        _request(status="in_progress", closed_at=NAT, working_days_to_close=np.nan),
        _request(
            status="on_hold",
            closed_at=NAT,
            working_days_to_close=np.nan,
            due_at=NOW_LOCAL + DAY,
            escalations=3,
        ),
    )
    row = _board(requests).iloc[0]
    assert row["median_working_days_to_close"] == 4.0
    assert row["backlog"] == 2
    assert row["overdue"] == 1
    assert row["escalations"] == 6


def test_satisfaction_and_net_promoter_score() -> None:
    requests = _frame(
        _request(satisfaction=5, recommend=10),
        _request(satisfaction=4, recommend=9),
        _request(satisfaction=3, recommend=8),  # passive
        _request(satisfaction=1, recommend=3),
        _request(ward_code="79800002", recommend=np.nan),
    )
    board = _board(requests, by=["ward_code"]).set_index("ward_code")
    ward = board.loc["79800001"]
    assert ward["satisfaction"] == pytest.approx(13 / 4)
    assert ward["ratings"] == 4
    # 2 promoters, 1 detractor of 4 answers
    assert ward["nps"] == pytest.approx(25.0)
    assert np.isnan(board.loc["79800002", "nps"])
    assert board.loc["79800002", "ratings"] == 0


def test_small_groups_are_shown_but_not_ranked() -> None:
    big = [_request(municipality_code="JHB") for _ in range(3)]
    small = [_request(municipality_code="TSH", acknowledged_at=START + 3 * DAY)]
    board = _board(_frame(*big, *small), min_requests=2).set_index("municipality_code")
    assert board.loc["JHB", "rank"] == 1
    assert not board.loc["JHB", "suppressed"]
    assert pd.isna(board.loc["TSH", "rank"])
    assert board.loc["TSH", "suppressed"]
    assert board.loc["TSH", "requests"] == 1
    assert board.loc["TSH", "acknowledged_within_standard"] == 0.0


def test_ranks_follow_the_composite_with_shared_ties() -> None:
    late = {"acknowledged_at": START + 3 * DAY}
    requests = _frame(
        _request(municipality_code="A"),
        _request(municipality_code="B"),
        _request(municipality_code="C", **late),
        _request(municipality_code="D", **late, closed_at=START + 9 * DAY),
    )
    board = _board(requests)
    ranks = dict(zip(board["municipality_code"], board["rank"], strict=True))
    assert ranks == {"A": 1, "B": 1, "C": 3, "D": 4}
    assert board["municipality_code"].tolist() == ["A", "B", "C", "D"]
    assert board.set_index("municipality_code").loc["C", "composite"] == pytest.approx(0.5)


def test_groups_by_ward_and_service_keep_requests_without_a_ward() -> None:
    requests = _frame(
        _request(),
        _request(service="refuse", service_code="refuse_missed"),
        _request(ward_code=None),
    )
    board = _board(requests, by=("ward_code", "service"))
    assert len(board) == 3
    assert board["ward_code"].isna().sum() == 1
    assert board["requests"].sum() == 3


def test_times_in_other_zones_compare_as_instants() -> None:
    # due 10:00 in Johannesburg is 08:00 UTC; acknowledged 09:00 UTC is an hour late
    due = pd.Timestamp("2026-03-03 10:00", tz="Africa/Johannesburg")
    late = pd.Timestamp("2026-03-03 09:00", tz="UTC")
    requests = _frame(_request(acknowledge_due_at=due))
    requests["acknowledged_at"] = pd.Series([late])
    assert _board(requests)["acknowledged_within_standard"].iloc[0] == 0.0


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        ({}, {"by": ["district"]}, "by must name"),
        ({}, {"by": []}, "by must name"),
        ({}, {"now": datetime(2026, 4, 1)}, "now must be timezone-aware"),
        ({}, {"min_requests": 0}, "min_requests"),
        ({"satisfaction": 6}, {}, "satisfaction must lie in 1 to 5"),
        ({"recommend": 11}, {}, "recommend must lie in 0 to 10"),
        ({"escalations": "two"}, {}, "escalations holds"),
        ({"due_at": datetime(2026, 3, 4)}, {}, "due_at holds times without a timezone"),
    ],
)
def test_bad_input_is_refused(
    change: dict[str, Any], options: dict[str, Any], message: str
) -> None:
    requests = _frame(_request(**change))
    with pytest.raises(InvalidInputError, match=message):
        scoreboard(requests, **({"now": NOW} | options))


def test_missing_columns_are_named() -> None:
    requests = _frame(_request()).drop(columns=["recommend"])
    with pytest.raises(InvalidInputError, match="recommend"):
        scoreboard(requests, now=NOW)


def test_naive_times_in_an_object_column_are_refused() -> None:
    requests = _frame(_request())
    requests["closed_at"] = pd.Series([datetime(2026, 3, 3) + timedelta(hours=1)], dtype=object)
    with pytest.raises(InvalidInputError, match="closed_at"):
        scoreboard(requests, now=NOW)
