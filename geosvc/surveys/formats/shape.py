"""From a reader's chunk to the canonical frame of ``geosvc.surveys.frames``, vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geosvc.surveys.formats.layout import Geopoint, Layout
from geosvc.surveys.formats.repeats import wide_lists
from geosvc.surveys.formats.table import RawChunk, Values
from geosvc.surveys.frames import (
    ALTITUDE,
    DEPRECATED_ID,
    LATITUDE,
    LONGITUDE,
    PRECISION,
    ROOT_ID,
    ROW,
    SUBMISSION_ID,
    SUBMITTED_AT,
)

TIMESTAMP_DTYPE = "datetime64[us, UTC]"
_UUID_PREFIX = "uuid:"
_GEOPOINT_PARTS = 4


def shape(chunk: RawChunk, layout: Layout) -> pd.DataFrame:
    """The canonical frame of ``chunk``: canonical columns first, then the questions."""
    columns = chunk.columns
    count = len(chunk)
    submitted_at = columns[layout.submitted_at] if layout.submitted_at else None
    out: dict[str, pd.Series] = {
        ROW: pd.Series(chunk.rows, dtype="int64"),
        SUBMISSION_ID: _text(_first_filled([columns[c] for c in layout.submission_id], count)),
        ROOT_ID: _text(_id_column(columns, layout.root_id, count)),
        DEPRECATED_ID: _text(_id_column(columns, layout.deprecated_id, count)),
        SUBMITTED_AT: utc_times(submitted_at, count),
    }
    out.update(_location(columns, layout.location, count))
    questions = {name: columns[source] for source, name in layout.questions.items()}
    if layout.repeat_columns:
        wide = {c: columns[c] for c in layout.repeat_columns}
        for template, values in wide_lists(wide, count).items():
            questions[layout.repeats[template]] = values
    for name in layout.order:
        out[name] = _text(questions[name])
    return pd.DataFrame(out, copy=False)


def utc_times(values: Values | None, count: int) -> pd.Series:
    """ISO 8601 text as UTC timestamps: a value without offset is UTC; unparseable is NaT."""
    if values is None:
        return pd.Series(pd.NaT, index=range(count), dtype=TIMESTAMP_DTYPE)
    parsed = pd.to_datetime(
        pd.Series(values, dtype=object), format="ISO8601", utc=True, errors="coerce"
    )
    return parsed.dt.as_unit("us")


def split_geopoint(text: Values) -> list[Values]:
    """ "lat lon alt acc" text as four columns of text, None where a part is missing."""
    parts = (
        pd.Series(text, dtype=object)
        .str.strip()
        .str.split(r"\s+", n=_GEOPOINT_PARTS - 1, expand=True, regex=True)
    )
    out = []
    for position in range(_GEOPOINT_PARTS):
        if position >= parts.shape[1]:
            out.append(np.full(len(text), None, dtype=object))
            continue
        values = parts.iloc[:, position].to_numpy(dtype=object, copy=True)
        values[pd.isna(values) | (values == "")] = None
        out.append(values)
    return out


def _location(columns: dict[str, Values], geopoint: Geopoint, count: int) -> dict[str, pd.Series]:
    names = (LATITUDE, LONGITUDE, ALTITUDE, PRECISION)
    sources = (geopoint.latitude, geopoint.longitude, geopoint.altitude, geopoint.precision)
    parts = [columns[s] if s is not None else None for s in sources]
    if geopoint.text is not None and any(p is None for p in parts):
        split = split_geopoint(columns[geopoint.text])
        parts = [p if p is not None else s for p, s in zip(parts, split, strict=True)]
    return {
        name: _text(p if p is not None else _nothing(count))
        for name, p in zip(names, parts, strict=True)
    }


def _id_column(columns: dict[str, Values], source: str | None, count: int) -> Values:
    return _without_uuid_prefix(columns[source]) if source is not None else _nothing(count)


def _first_filled(candidates: list[Values], count: int) -> Values:
    """Per row, the first candidate that is not blank, without its ``uuid:`` prefix."""
    if not candidates:
        return _nothing(count)
    chosen = candidates[0]
    for other in candidates[1:]:
        chosen = np.where(pd.isna(chosen), other, chosen)
    return _without_uuid_prefix(chosen)


def _without_uuid_prefix(values: Values) -> Values:
    # Kobo's _uuid and most plain ids have no prefix: one C-level scan of the joined text
    # skips the per-value work for them.
    joined = "\x00" + "\x00".join(values[~pd.isna(values)])
    if "\x00" + _UUID_PREFIX not in joined:
        return values
    stripped = pd.Series(values, dtype=object).str.removeprefix(_UUID_PREFIX)
    return stripped.to_numpy(dtype=object)


def _nothing(count: int) -> Values:
    return np.full(count, None, dtype=object)


def _text(values: Values) -> pd.Series:
    # dtype=object keeps None as None: pandas 3 would otherwise infer its str dtype (NaN).
    return pd.Series(values, dtype=object, copy=False)
