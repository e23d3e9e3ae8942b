"""A GeoJSON FeatureCollection of Points: each feature one submission, its properties the answers.

The geometry is the location (named ``geometry``) unless ``location`` names a property;
a feature without geometry has a blank location, which the checks report. The submission
id is the feature's ``id``, else an id-like property (Kobo's ``_uuid`` in a Kobo export).
Rows are the features' positions, from 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TypeGuard

import numpy as np

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.jsonrecords import (
    Flat,
    flatten,
    is_point,
    ordered_names,
    point_text,
    record_columns,
    scalar_text,
    sliced,
)
from geosvc.surveys.formats.layout import Geopoint, resolve_layout, table_dialect
from geosvc.surveys.formats.table import OpenedTable

GEOMETRY = "geometry"


def is_geojson(document: object) -> TypeGuard[dict[str, object]]:
    """Whether a parsed JSON document is GeoJSON (an object with a GeoJSON ``type``)."""
    return isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature")


def open_geojson(
    document: dict[str, object], label: str, *, location: str | None, chunk_rows: int
) -> OpenedTable:
    """The features of a FeatureCollection of Points, ready to read in chunks."""
    features = _features(document, label)
    records = [_properties(feature) for feature in features]
    names = ordered_names(records)
    geometry = _free_name(GEOMETRY, names)
    ids = [scalar_text(feature.get("id")) for feature in features]
    id_column = _free_name("id", [*names, geometry]) if any(ids) else None
    geopoint = Geopoint(name=GEOMETRY, text=geometry)
    layout = resolve_layout(
        [*names, geometry, *([id_column] if id_column else [])],
        table_dialect(names),
        location=location if location is not None else GEOMETRY,
        label=label,
        geopoints=[geopoint],
        id_column=id_column,
    )
    columns = record_columns(records, names)
    columns[geometry] = np.array([_point(f) for f in features], dtype=object)
    if id_column is not None:
        columns[id_column] = np.array(ids, dtype=object)
    return OpenedTable(layout, lambda: sliced(columns, len(features), chunk_rows))


def _features(document: dict[str, object], label: str) -> list[dict[str, object]]:
    features = [document] if document.get("type") == "Feature" else document.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise SourceFileError(f"{label} is GeoJSON without a list of features.")
    if not features:
        raise SourceFileError(f"{label} has no features.")
    kinds = Counter(_geometry_type(f) for f in features)
    other = {kind: count for kind, count in kinds.items() if kind not in ("Point", None)}
    if other:
        listed = ", ".join(f"{count} {kind}" for kind, count in other.items())
        raise SourceFileError(
            f"{label} has features that are not points ({listed}); a survey's "
            "households are points."
        )
    return features


def _geometry_type(feature: dict[str, object]) -> str | None:
    geometry = feature.get("geometry")
    if geometry is None:
        return None
    return str(geometry.get("type")) if isinstance(geometry, dict) else "invalid geometry"


def _properties(feature: dict[str, object]) -> Flat:
    properties = feature.get("properties")
    return flatten(properties)[0] if isinstance(properties, dict) else {}


def _point(feature: dict[str, object]) -> str | None:
    geometry = feature.get("geometry")
    return point_text(geometry) if is_point(geometry) else None  # type: ignore[arg-type]


def _free_name(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name~2``… if a property already has it."""
    unique, count = name, 1
    while unique in taken:
        count += 1
        unique = f"{name}~{count}"
    return unique
