"""Loading a boundary file into the ward table: read, check, repair, upsert in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from geosvc.wards.fields import FieldMap, resolve_fields
from geosvc.wards.normalise import normalise_wards
from geosvc.wards.repo import UpsertCounts, upsert_wards
from geosvc.wards.source import Layer, layer_names, open_layer, read_layer, read_table

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class WardLoadOptions:
    """What the user said about the file; everything else is detected."""

    layer: str | None = None
    fields: FieldMap = field(default_factory=FieldMap)
    code_pattern: str = r"^\d{8}$"
    assume_crs: str | None = None
    demarcation_year: int | None = None
    municipality_layer: str | None = None


@dataclass(frozen=True)
class WardLoadResult:
    """What a load did."""

    layer: str
    fields: FieldMap
    features: int
    wards: int
    repaired: int
    merged: int
    counts: UpsertCounts


Progress = Callable[[int], None]


def load_wards(
    conn: Connection,
    path: Path,
    options: WardLoadOptions = WardLoadOptions(),
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> WardLoadResult:
    """Load the ward layer of ``path`` in the caller's transaction.

    Every check runs before the first row is written, and the write is one upsert, so a
    bad file raises ``SourceFileError`` having changed nothing.
    """
    layer = open_layer(path, options.layer)
    label = f"{path.name} (layer {layer.name})"
    raw = read_layer(layer, label)
    field_map = resolve_fields(list(raw.columns), options.fields, label)
    normalised = normalise_wards(
        raw,
        field_map,
        label=label,
        code_pattern=options.code_pattern,
        assume_crs=options.assume_crs,
        municipality_names=_municipality_names(layer, options.municipality_layer),
    )
    if on_total is not None:
        on_total(len(normalised.wards))
    year = options.demarcation_year or _year_in(layer.name) or _year_in(path.name)
    counts = upsert_wards(
        conn, normalised.wards, source=path.name, demarcation_year=year, progress=progress
    )
    return WardLoadResult(
        layer=layer.name,
        fields=field_map,
        features=normalised.features,
        wards=len(normalised.wards),
        repaired=normalised.repaired,
        merged=normalised.merged,
        counts=counts,
    )


def _year_in(name: str) -> int | None:
    match = _YEAR.search(name)
    return int(match.group(1)) if match else None


def _municipality_names(layer: Layer, chosen: str | None) -> dict[str, str]:
    """Municipality code → name from a sibling layer, as the MDB zip ships (Muni_2020).

    The MDB ward layer carries only the municipality's code; its names live in another
    layer of the same archive.
    """
    names = layer_names(layer)
    candidates = [chosen] if chosen else [n for n in names if n.lower().startswith("muni")]
    for name in candidates:
        if name not in names:
            continue
        table = read_table(layer, name)
        columns = {c.lower(): c for c in table.columns}
        if "code" in columns and "name" in columns:
            pairs = table[[columns["code"], columns["name"]]].dropna()
            return {str(c).strip(): str(n).strip() for c, n in pairs.itertuples(index=False)}
    return {}
