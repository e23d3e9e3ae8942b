"""Refreshing the survey rows of ``ward_indicator`` for the wards a batch touched."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.db import copy_rows, frame_rows
from geosvc.surveys.needs import INDICATOR_COLUMNS, SOURCE, ward_needs
from geosvc.surveys.scales import SCALES

_ACCESS = [scale.column for scale in SCALES.values()]


def refresh_ward_needs(conn: Connection, wards: Sequence[str]) -> int:
    """Recompute the survey indicators of ``wards`` from every response stored in them.

    Runs in the caller's transaction (a batch's, so that its responses and the indicators
    they change commit together); returns the number of indicator rows written.
    """
    if not wards:
        return 0
    wards = sorted(set(wards))
    result = conn.execute(
        text(
            f"SELECT ward_code, {', '.join(_ACCESS)}, needs FROM survey_response "
            "WHERE ward_code = ANY(:wards)"
        ),
        {"wards": wards},
    )
    responses = pd.DataFrame(result.all(), columns=["ward_code", *_ACCESS, "needs"])
    for column in _ACCESS:
        responses[column] = responses[column].astype("Int16")
    conn.execute(
        text("DELETE FROM ward_indicator WHERE source = :s AND ward_code = ANY(:wards)"),
        {"s": SOURCE, "wards": wards},
    )
    if responses.empty:
        return 0
    rows = ward_needs(responses)
    return copy_rows(conn, "ward_indicator", INDICATOR_COLUMNS, frame_rows(rows))
