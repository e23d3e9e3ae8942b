"""JSON submissions (ODK OData, GeoJSON properties) as flat records of text.

Nested objects are flattened with ``/`` between names, as Kobo names grouped questions. A
GeoJSON Point (ODK's geopoint) becomes XForms' "lat lon alt acc" text; any other geometry
its JSON. An array of objects is a repeat group: each question inside it becomes one
column holding the JSON list of its answers, nested repeats a list of lists. Scalars become
text: numbers as JSON writes them, booleans ``true``/``false``, an empty string None.

The file is parsed whole, so its size is bounded by ``ReadLimits.max_json_bytes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.detect import Encoding
from geosvc.surveys.formats.limits import ReadLimits, check_json_size
from geosvc.surveys.formats.table import RawChunk, Values

Flat = dict[str, object]
_GEOMETRIES = frozenset(
    {"LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"}
)


def load_json(path: Path, encoding: Encoding, label: str, limits: ReadLimits) -> object:
    """The parsed document; refuses a file over the JSON limit or that is not JSON."""
    check_json_size(path.stat().st_size, limits, label)
    try:
        return json.loads(path.read_text(encoding=encoding.value))
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except RecursionError as exc:
        raise SourceFileError(f"{label} is JSON nested too deeply to be a survey.") from exc


def flatten(record: Mapping[str, object]) -> tuple[Flat, list[str]]:
    """``record`` under ``/``-joined paths, and the paths that held a GeoJSON Point."""
    out: Flat = {}
    points: list[str] = []
    _flatten_into(record, "", out, points, in_repeat=False)
    return {path: _cell(value) for path, value in out.items()}, points


def record_columns(records: Sequence[Flat], names: Sequence[str]) -> dict[str, Values]:
    """The flat records as columns, None where a record lacks a name."""
    return {name: np.array([r.get(name) for r in records], dtype=object) for name in names}


def ordered_names(records: Sequence[Flat]) -> list[str]:
    """Every path of the records, in the order first seen."""
    return list(dict.fromkeys(name for record in records for name in record))


def sliced(columns: dict[str, Values], count: int, chunk_rows: int) -> Iterator[RawChunk]:
    """In-memory columns as chunks; rows are numbered from 1, as records in the file."""
    for start in range(0, count, chunk_rows):
        stop = min(start + chunk_rows, count)
        rows = np.arange(start + 1, stop + 1, dtype=np.int64)
        yield RawChunk({n: v[start:stop] for n, v in columns.items()}, rows)


def point_text(point: Mapping[str, object]) -> str | None:
    """A GeoJSON Point as XForms geopoint text, "lat lon alt acc" (alt and acc if known)."""
    coordinates = point.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    properties = point.get("properties")
    accuracy = properties.get("accuracy") if isinstance(properties, dict) else None
    lon, lat, *altitude = coordinates
    if lat is None or lon is None:
        return None
    altitude = [a for a in altitude[:1] if a is not None]
    parts = [lat, lon, *altitude]
    # The text is positional: an accuracy is only written after an altitude (ODK sends both).
    if accuracy is not None and altitude:
        parts.append(accuracy)
    return " ".join(scalar_text(p) or "" for p in parts)


def scalar_text(value: object) -> str | None:
    """A JSON scalar as text; None for null and the empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def is_point(value: object) -> bool:
    """Whether ``value`` is a GeoJSON Point object."""
    return isinstance(value, dict) and value.get("type") == "Point" and "coordinates" in value


def _flatten_into(
    obj: Mapping[str, object], prefix: str, out: Flat, points: list[str], *, in_repeat: bool
) -> None:
    for key, value in obj.items():
        if "@odata" in key or (in_repeat and key.startswith("__")):
            continue  # links to tables not in the file; a repeat item's own ids
        path = prefix + key
        if is_point(value):
            out[path] = point_text(value)  # type: ignore[arg-type]
            if not in_repeat:
                points.append(path)
        elif isinstance(value, dict) and value.get("type") in _GEOMETRIES:
            out[path] = json.dumps(value)
        elif isinstance(value, dict):
            _flatten_into(value, path + "/", out, points, in_repeat=in_repeat)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.update(_repeat(value, path))
        elif isinstance(value, list):
            out[path] = json.dumps(value, ensure_ascii=False) if value else None
        else:
            out[path] = scalar_text(value)


def _repeat(items: list[dict[str, object]], path: str) -> Flat:
    """A repeat's items as one list per question inside it, aligned by item."""
    flats = []
    for item in items:
        flat: Flat = {}
        _flatten_into(item, "", flat, [], in_repeat=True)
        flats.append(flat)
    names = dict.fromkeys(name for flat in flats for name in flat)
    return {f"{path}/{name}": [flat.get(name) for flat in flats] for name in names}


def _cell(value: object) -> str | None:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else None
