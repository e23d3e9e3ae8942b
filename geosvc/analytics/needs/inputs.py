"""Assembling the needs index's raw components per ward and service group.

Pure: the frames come from ``inputs`` and the survey/census shares from ``baseline``; the
result is what ``needs_index`` takes (``ward_code, service`` and the five raw components).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from geosvc.analytics.hotspots.values import rates_per_1000

KEYS = ["ward_code", "service"]


def breached(requests: pd.DataFrame, now: datetime) -> pd.Series:
    """Which requests broke a service standard: acknowledged late, closed late, or overdue.

    A request without due dates (not actionable) has no standard to break. Escalations are
    not counted separately: the escalation job escalates exactly these breaches.

    Examples
    --------
    >>> t = pd.Timestamp("2026-06-01", tz="UTC")
    >>> frame = pd.DataFrame({
    ...     "acknowledged_at": [t, pd.NaT, t], "acknowledge_due_at": [t, t, t],
    ...     "closed_at": [t, pd.NaT, t + pd.Timedelta(days=9)], "due_at": [t, t, t]})
    >>> breached(frame, datetime(2026, 6, 5, tzinfo=t.tzinfo)).tolist()
    [False, True, True]
    """
    moment = pd.Timestamp(now)
    ack_due, due = requests["acknowledge_due_at"], requests["due_at"]
    ack_late = ack_due.notna() & (
        (requests["acknowledged_at"] > ack_due)
        | (requests["acknowledged_at"].isna() & (ack_due < moment))
    )
    closed_late = due.notna() & (
        (requests["closed_at"] > due) | (requests["closed_at"].isna() & (due < moment))
    )
    result: pd.Series = ack_late | closed_late
    return result


def per_1000(counts: pd.Series, households: pd.Series) -> pd.Series:
    """``counts`` indexed by (ward_code, service) per 1,000 of the ward's households."""
    homes = households.reindex(counts.index.get_level_values("ward_code")).to_numpy()
    return pd.Series(rates_per_1000(counts.to_numpy(), homes), index=counts.index)


def raw_components(
    requests: pd.DataFrame,
    households: pd.Series,
    survey: pd.DataFrame,
    census: pd.DataFrame,
    now: datetime,
) -> pd.DataFrame:
    """The needs index's raw components for every ward and service group with evidence.

    Parameters
    ----------
    requests : DataFrame
        The period's requests and complaints (``inputs.read_scoreboard_requests``):
        ``ward_code``, ``service`` (group), ``status`` and the standard's times.
    households : Series
        Households per ward code.
    survey, census : DataFrame
        ``baseline.survey_shares`` and ``baseline.census_shares`` output.
    now : datetime
        The moment open requests are counted at (the backlog) and overdue is judged.

    Returns
    -------
    DataFrame
        ``ward_code, service, survey, census, incidents, backlog, breaches``; NaN where a
        component has no evidence for the ward and service.
    """
    located = requests.dropna(subset=["ward_code"])
    grouped = located.groupby(KEYS)
    incidents = per_1000(grouped.size(), households).rename("incidents")
    open_counts = located[located["status"] != "closed"].groupby(KEYS).size()
    backlog = per_1000(open_counts.reindex(incidents.index, fill_value=0), households)
    actionable = located[located["due_at"].notna()]
    breach_share = breached(actionable, now).groupby([actionable[k] for k in KEYS]).mean()
    frames = [
        incidents,
        backlog.rename("backlog"),
        breach_share.rename("breaches"),
        _shares(survey, "survey"),
        _shares(census, "census"),
    ]
    raw = pd.concat(frames, axis=1).reset_index()
    raw = raw.rename(columns={"level_0": "ward_code", "level_1": "service"})
    columns = [*KEYS, "survey", "census", "incidents", "backlog", "breaches"]
    raw = raw.reindex(columns=columns)
    # No requests from a ward with known households is evidence too: a rate of 0.
    known = raw["ward_code"].map(households).gt(0)
    for column in ("incidents", "backlog"):
        raw.loc[known & raw[column].isna(), column] = 0.0
    return raw.sort_values(KEYS, ignore_index=True)


def _shares(shares: pd.DataFrame, name: str) -> pd.Series:
    if shares.empty:
        return pd.Series(dtype="float64", name=name)
    return shares.set_index(KEYS)["share_below_basic"].rename(name)
