"""Opening a boundary file: GeoJSON, GeoPackage, a shapefile or a zipped shapefile, one layer.

GDAL (through pyogrio) reads every format; this module only finds the layer inside the file
and turns GDAL's failures into one sentence a user can act on.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geosvc.errors import SourceFileError

_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb")


@dataclass(frozen=True)
class Layer:
    """One layer of a source file, ready to read."""

    path: str  # what GDAL opens: a file path or a /vsizip/ path
    name: str
    geometry_type: str


def gdal_path(path: Path) -> str:
    """The path GDAL should open; for a zip, the folder or file inside it that holds the data."""
    if not path.exists():
        raise SourceFileError(f"{path} does not exist.")
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [PurePosixPath(m) for m in archive.namelist()]
    except zipfile.BadZipFile as exc:
        raise SourceFileError(f"{path.name} is not a readable zip archive.") from exc
    vectors = [m for m in members if m.suffix.lower() in _VECTOR_SUFFIXES]
    if not vectors:
        raise SourceFileError(f"{path.name} holds no shapefile, GeoPackage or GeoJSON.")
    folders = {m.parent for m in vectors}
    if len(folders) > 1:
        raise SourceFileError(f"{path.name} holds boundary files in several folders.")
    folder = folders.pop()
    inner = "" if str(folder) == "." else f"/{folder}"
    if len(vectors) == 1 and vectors[0].suffix.lower() != ".shp":
        inner = f"/{vectors[0]}"
    return f"/vsizip/{path.resolve()}{inner}"


def open_layer(path: Path, layer: str | None = None) -> Layer:
    """The layer to load: the one named, the only one, or the only one whose name says "ward"."""
    source = gdal_path(path)
    try:
        layers = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(source)]
    except (DataSourceError, DataLayerError) as exc:
        raise SourceFileError(f"{path.name} is not a vector file that can be read.") from exc
    if not layers:
        raise SourceFileError(f"{path.name} has no layers.")
    names = [name for name, _ in layers]
    if layer is not None:
        chosen = [item for item in layers if item[0] == layer]
        if not chosen:
            raise SourceFileError(
                f"{path.name} has no layer {layer!r}; its layers are {', '.join(names)}."
            )
    elif len(layers) == 1:
        chosen = layers
    else:
        chosen = [item for item in layers if "ward" in item[0].lower()]
        if len(chosen) != 1:
            raise SourceFileError(
                f"{path.name} has several layers ({', '.join(names)}); choose one with --layer."
            )
    name, kind = chosen[0]
    return Layer(path=source, name=name, geometry_type=kind)


def read_layer(layer: Layer, label: str) -> gpd.GeoDataFrame:
    """Every feature of ``layer``, refusing an empty one; ``label`` names it in errors."""
    try:
        frame = gpd.read_file(layer.path, layer=layer.name, engine="pyogrio")
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise SourceFileError(f"{label} could not be read: {exc.__class__.__name__}.") from exc
    if len(frame) == 0:
        raise SourceFileError(f"{label} has no features.")
    return frame


def layer_names(layer: Layer) -> list[str]:
    """Names of every layer in the same source as ``layer``."""
    return [str(name) for name, _ in pyogrio.list_layers(layer.path)]


def read_table(layer: Layer, name: str) -> gpd.GeoDataFrame:
    """The attribute table of another layer of the same source, without geometry."""
    return gpd.read_file(layer.path, layer=name, engine="pyogrio", ignore_geometry=True)
