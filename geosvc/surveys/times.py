"""Collection times: read in a schema's format and time zone, and the campaign's bounds."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.surveys.schema import SurveySchema

_OFFSET = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


def parse_times(answers: npt.NDArray[np.object_], schema: SurveySchema) -> pd.Series:
    """Times as UTC (``datetime64[us, UTC]``), NaT where blank or unreadable.

    Read with the schema's ``time_format``, else as ISO 8601. A time without an offset is
    local to the schema's time zone; one that happens twice (clocks going back) is taken as
    the first, one that never happens (clocks going forward) is moved forward.
    """
    text = pd.Series(answers, dtype=object)
    fmt = schema.time_format or "ISO8601"
    try:
        times = pd.to_datetime(text, format=fmt, errors="coerce")
    except ValueError:  # offsets differ between rows: read those with and without apart
        with_offset = text.str.contains(_OFFSET, regex=True, na=False).to_numpy()
        utc = pd.to_datetime(text.where(with_offset), format=fmt, utc=True, errors="coerce")
        naive = pd.to_datetime(text.where(~with_offset), format=fmt, errors="coerce")
        return utc.where(with_offset, _localised(naive, schema.timezone)).dt.as_unit("us")
    if times.dt.tz is not None:
        return times.dt.tz_convert("UTC").dt.as_unit("us")
    return _localised(times, schema.timezone)


def _localised(naive: pd.Series, zone: str) -> pd.Series:
    first = np.ones(len(naive), dtype=bool)
    local = naive.dt.tz_localize(zone, ambiguous=first, nonexistent="shift_forward")
    utc: pd.Series = local.dt.tz_convert("UTC").dt.as_unit("us")
    return utc


def campaign_bounds(schema: SurveySchema) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The campaign's first instant and the instant after its last day, in UTC (None: open)."""
    campaign, zone = schema.campaign, schema.timezone
    start = end = None
    if campaign.start is not None:
        start = pd.Timestamp(campaign.start).tz_localize(zone).tz_convert("UTC")
    if campaign.end is not None:
        next_day = pd.Timestamp(campaign.end) + pd.Timedelta(days=1)
        end = next_day.tz_localize(zone).tz_convert("UTC")
    return start, end
