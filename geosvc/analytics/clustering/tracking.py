"""Stable identities for incident clusters across runs, matched by shared members.

Each run's DBSCAN numbers its clusters afresh; ``track_clusters`` gives every cluster a
``key`` that survives from run to run, and a state. The rules:

1. Matching is by shared incident ids, and only within one service type. Previous clusters
   in state ``closed`` take no part: a closed identity never comes back.
2. A current cluster claims the key of the previous cluster with which it shares the most
   members (ties: the older, smaller key).
3. Split: when several current clusters claim one key, the one sharing the most members
   keeps it (ties: the larger count, then the smaller ``cluster_no``); the others are new.
4. Merge: a current cluster that shares members with several previous ones keeps its best
   match's key (rule 2); the other previous clusters are closed into it.
5. New keys are ``next_key, next_key + 1, ...`` in ``cluster_no`` order.
6. States: ``new`` (no key inherited); ``growing`` when ``count > previous_count * (1 +
   growth)``; ``fading`` when ``count < previous_count * (1 - growth)``; ``stable``
   otherwise.
7. Every previous (non-closed) cluster that no current cluster inherits comes back as a
   ``closed`` row with its previous members and count (also as ``previous_count``), and
   ``closed_into``: the key of the current cluster holding most of its members (ties: the
   larger count, then the smaller ``cluster_no``), or None when none holds any.
"""

from __future__ import annotations

import math
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geosvc.errors import InvalidInputError

STATES = ("new", "growing", "stable", "fading", "closed")
PREVIOUS_COLUMNS = ("key", "service_code", "member_ids", "count", "state")
CURRENT_COLUMNS = ("cluster_no", "service_code", "member_ids", "count")
ADDED_COLUMNS = ("key", "state", "previous_count", "closed_into")

__all__ = ["ADDED_COLUMNS", "STATES", "track_clusters"]


def track_clusters(
    previous: pd.DataFrame, current: pd.DataFrame, *, next_key: int, growth: float = 0.1
) -> pd.DataFrame:
    """Give current clusters the keys of the previous ones they continue, and a state.

    Parameters
    ----------
    previous : DataFrame
        The clusters as last stored: ``key`` (int), ``service_code``, ``member_ids`` (list
        of int), ``count`` and ``state``. An empty frame (first run) may lack the columns.
    current : DataFrame or GeoDataFrame
        This run's clusters: ``cluster_no`` (unique), ``service_code``, ``member_ids``,
        ``count``; other columns are kept.
    next_key : int
        The first key to hand out; greater than every key in ``previous``.
    growth : float
        Relative change in count, in [0, 1), beyond which a cluster is growing or fading.

    Returns
    -------
    DataFrame or GeoDataFrame (like ``current``)
        The current rows in their order, with ``key`` (int64), ``state``,
        ``previous_count`` (int, None when new) and ``closed_into`` (None); then the
        closed rows by key, whose columns from ``current`` are None, NaN or NaT (their
        geometries None). ``cluster_no``, ``previous_count`` and ``closed_into`` hold Python
        ints or None once closed rows are present.

    Examples
    --------
    >>> previous = pd.DataFrame({
    ...     "key": [7, 8], "service_code": "water_leak",
    ...     "member_ids": [[1, 2, 3], [10, 11]], "count": [3, 2], "state": "new",
    ... })
    >>> current = pd.DataFrame({
    ...     "cluster_no": [0], "service_code": "water_leak",
    ...     "member_ids": [[1, 2, 3, 4, 10]], "count": [5],
    ... })
    >>> tracked = track_clusters(previous, current, next_key=9)
    >>> tracked[["key", "count", "state", "previous_count", "closed_into"]].values.tolist()
    [[7, 5, 'growing', 3, None], [8, 2, 'closed', 2, 7]]
    """
    active = _active(previous, next_key)
    _check_current(current)
    if not (isinstance(growth, int | float) and math.isfinite(growth) and 0 <= growth < 1):
        raise InvalidInputError(f"growth must be a number in [0, 1), not {growth!r}.")
    shared = _shared_members(active, current)
    inherited = _inherited_keys(shared)
    keys = _keys(current, inherited, next_key)
    tracked = _with_states(current, keys, inherited, active, growth)
    closed = _closed_rows(active, inherited, shared, keys)
    return _combined(tracked, closed, current)


def _active(previous: pd.DataFrame, next_key: int) -> pd.DataFrame:
    """The previous clusters that are not closed; checks ``previous`` and ``next_key``."""
    if isinstance(next_key, bool) or not isinstance(next_key, int | np.integer):
        raise InvalidInputError(f"next_key must be an integer, not {next_key!r}.")
    if len(previous) == 0:
        return pd.DataFrame({column: [] for column in PREVIOUS_COLUMNS})
    _require(previous, PREVIOUS_COLUMNS, "previous")
    keys = previous["key"]
    if keys.duplicated().any():
        raise InvalidInputError(
            f"previous keys must be unique; {keys[keys.duplicated()].iloc[0]} repeats."
        )
    if int(keys.max()) >= next_key:
        raise InvalidInputError(
            f"next_key ({next_key}) must be greater than every previous key ({int(keys.max())})."
        )
    unknown = set(previous["state"]) - set(STATES)
    if unknown:
        raise InvalidInputError(f"previous holds unknown state(s): {sorted(map(str, unknown))}.")
    return previous[previous["state"] != "closed"]


def _check_current(current: pd.DataFrame) -> None:
    _require(current, CURRENT_COLUMNS, "current")
    numbers = current["cluster_no"]
    if numbers.isna().any() or numbers.duplicated().any():
        raise InvalidInputError("current cluster_no values must be present and unique.")
    clash = [column for column in ADDED_COLUMNS if column in current.columns]
    if clash:
        raise InvalidInputError(f"current already has the column(s) {', '.join(clash)}.")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InvalidInputError(f"{name} lacks the column(s): {', '.join(missing)}.")


def _members(frame: pd.DataFrame, owner: str) -> pd.DataFrame:
    """One row per (owner, service_code, member id)."""
    exploded = frame[[owner, "service_code", "member_ids"]].explode("member_ids").dropna()
    return exploded.astype({"member_ids": np.int64, "service_code": str})


def _shared_members(active: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """``cluster_no, key, shared``: members each current cluster shares with each previous."""
    pairs = _members(current, "cluster_no").merge(
        _members(active, "key"), on=["service_code", "member_ids"]
    )
    shared = pairs.groupby(["cluster_no", "key"]).size().rename("shared").reset_index()
    counts = current.set_index("cluster_no")["count"]
    return shared.assign(count=shared["cluster_no"].map(counts))


def _inherited_keys(shared: pd.DataFrame) -> pd.Series:
    """The key each current cluster inherits, by ``cluster_no`` (rules 2 and 3)."""
    best = shared.sort_values(["cluster_no", "shared", "key"], ascending=[True, False, True])
    claims = best.drop_duplicates("cluster_no")
    winners = claims.sort_values(
        ["key", "shared", "count", "cluster_no"], ascending=[True, False, False, True]
    ).drop_duplicates("key")
    inherited: pd.Series = winners.set_index("cluster_no")["key"].astype(np.int64)
    return inherited


def _keys(current: pd.DataFrame, inherited: pd.Series, next_key: int) -> pd.Series:
    """Every current cluster's key by ``cluster_no``: inherited, or new in cluster_no order."""
    numbers = current["cluster_no"].sort_values()
    fresh = numbers[~numbers.isin(inherited.index)]
    new_keys = pd.Series(next_key + np.arange(len(fresh), dtype=np.int64), index=fresh.to_numpy())
    keys: pd.Series = pd.concat([inherited, new_keys])
    return keys.astype(np.int64)


def _with_states(
    current: pd.DataFrame,
    keys: pd.Series,
    inherited: pd.Series,
    active: pd.DataFrame,
    growth: float,
) -> pd.DataFrame:
    before = current["cluster_no"].map(inherited).map(active.set_index("key")["count"])
    count = current["count"].astype(float)
    state = np.select(
        [before.isna(), count > before * (1 + growth), count < before * (1 - growth)],
        ["new", "growing", "fading"],
        default="stable",
    )
    previous_count = [None if pd.isna(value) else int(value) for value in before]
    return current.assign(
        key=current["cluster_no"].map(keys).to_numpy(dtype=np.int64),
        state=state.astype(object),
        previous_count=pd.Series(previous_count, index=current.index, dtype=object),
        closed_into=pd.Series([None] * len(current), index=current.index, dtype=object),
    )


def _closed_rows(
    active: pd.DataFrame,
    inherited: pd.Series,
    shared: pd.DataFrame,
    keys: pd.Series,
) -> pd.DataFrame:
    """Previous clusters nobody inherits, closed into the cluster holding most of them."""
    closed = active[~active["key"].isin(inherited.to_numpy())].sort_values("key")
    holders = shared[shared["key"].isin(closed["key"])].sort_values(
        ["key", "shared", "count", "cluster_no"], ascending=[True, False, False, True]
    )
    into = holders.drop_duplicates("key").set_index("key")["cluster_no"].map(keys)
    count = [int(value) for value in closed["count"]]
    return pd.DataFrame(
        {
            "key": closed["key"].to_numpy(dtype=np.int64),
            "service_code": closed["service_code"].to_numpy(dtype=object),
            "member_ids": [[int(m) for m in members] for members in closed["member_ids"]],
            "count": np.asarray(count, dtype=np.int64),
            "state": "closed",
            "previous_count": pd.Series(count, dtype=object),
            "closed_into": pd.Series(
                [_int_or_none(into.get(key)) for key in closed["key"]], dtype=object
            ),
        }
    )


def _int_or_none(value: float | None) -> int | None:
    return None if value is None or math.isnan(value) else int(value)


def _combined(tracked: pd.DataFrame, closed: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Tracked rows then closed rows; closed rows get None/NaN/NaT in current's columns."""
    if len(closed) == 0:
        return tracked
    for column in tracked.columns.difference(closed.columns):
        closed[column] = _missing(tracked[column], len(closed))
    tracked = tracked.assign(
        cluster_no=pd.Series([int(n) for n in tracked["cluster_no"]], tracked.index, object)
    )
    combined = pd.concat([tracked, closed[tracked.columns]], ignore_index=True)
    if not isinstance(current, gpd.GeoDataFrame):
        return combined
    for column in current.columns:
        if isinstance(current[column].dtype, gpd.array.GeometryDtype):
            combined[column] = gpd.GeoSeries(combined[column], crs=current[column].crs)
    geo = gpd.GeoDataFrame(combined, geometry=current.geometry.name, crs=current.crs)
    return cast(pd.DataFrame, geo)


def _missing(column: pd.Series, rows: int) -> pd.Series:
    """``rows`` missing values for ``column``: NaN for floats, NaT for times, else None."""
    dtype = column.dtype
    if pd.api.types.is_float_dtype(dtype):
        return pd.Series(np.full(rows, np.nan), dtype=dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.Series([pd.NaT] * rows, dtype=dtype)
    return pd.Series([None] * rows, dtype=object)
