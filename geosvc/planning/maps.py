"""folium maps of ward needs and hotspots, for notebooks and printable reports.

Pure: GeoDataFrames in (``frames`` reads them), a ``folium.Map`` out. The maps have no
tile layer (``tiles=None``): the ward outlines are the background, so they render offline.
By default folium loads Leaflet from a CDN when the map is shown; pass ``LeafletAssets``
(the project's vendored copy) to inline it and make the HTML self-contained.
folium is imported only when a map is made.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geosvc.errors import InvalidInputError
from geosvc.planning.classes import (
    NO_DATA_COLOUR,
    hotspot_legend,
    hotspot_style,
    need_colour,
    need_legend,
)

if TYPE_CHECKING:
    import folium


@dataclass(frozen=True)
class LeafletAssets:
    """Leaflet's script and stylesheet on disk, to inline into a map's HTML."""

    js: Path
    css: Path

    @classmethod
    def from_dir(cls, folder: Path) -> LeafletAssets:
        """``leaflet.js`` and ``leaflet.css`` in ``folder``; InvalidInputError when missing."""
        assets = cls(folder / "leaflet.js", folder / "leaflet.css")
        for path in (assets.js, assets.css):
            if not path.is_file():
                raise InvalidInputError(f"Leaflet is not at {path}.")
        return assets

    def data_uris(self) -> tuple[str, str]:
        """The script and the stylesheet as ``data:`` URIs."""
        js = base64.b64encode(self.js.read_bytes()).decode()
        css = base64.b64encode(self.css.read_bytes()).decode()
        return f"data:text/javascript;base64,{js}", f"data:text/css;base64,{css}"


def needs_map(
    frame: gpd.GeoDataFrame, *, title: str = "Needs index", assets: LeafletAssets | None = None
) -> folium.Map:
    """A choropleth of ``frame``'s needs ``score`` (0-100) in the shared needs classes.

    ``frame`` has ``ward_code``, ``name``, ``score`` (NaN: no evidence) and a geometry;
    ``rank`` is shown in the tooltip when present.
    """
    _check(frame, ("ward_code", "name", "score"))
    fills = [need_colour(_number(score)) for score in frame["score"]]
    fields = [c for c in ("name", "ward_code", "score", "rank") if c in frame]
    legend = need_legend()
    entries = [(c["colour"], c["label"]) for c in legend["classes"]]
    entries.append((legend["no_data"]["colour"], legend["no_data"]["label"]))
    return _choropleth(
        frame, fills, fields, _legend_html(title, entries, legend["method"]), assets=assets
    )


def hotspot_map(
    frame: gpd.GeoDataFrame,
    *,
    title: str = "Hotspots",
    permutations: int | None = None,
    assets: LeafletAssets | None = None,
) -> folium.Map:
    """Wards coloured by hotspot ``class`` (hot/cold at 90/95/99%), the statistic stated.

    ``frame`` has ``ward_code``, ``name``, ``class`` (None: no result), ``statistic`` and
    a geometry; ``z``, ``q`` and ``rate`` are shown in the tooltip when present.
    """
    _check(frame, ("ward_code", "name", "class"))
    statistic = str(frame["statistic"].dropna().iloc[0]) if "statistic" in frame else "gi_star"
    legend = hotspot_legend(statistic, permutations)
    fills = [NO_DATA_COLOUR if pd.isna(c) else hotspot_style(str(c))[0] for c in frame["class"]]
    present = set(frame["class"].dropna())
    entries = [(c["colour"], c["label"]) for c in legend["classes"] if c["class"] in present]
    fields = [c for c in ("name", "ward_code", "class", "rate", "z", "q") if c in frame]
    return _choropleth(
        frame,
        fills,
        fields,
        _legend_html(f"{title}: {legend['title']}", entries, legend["method"]),
        assets=assets,
    )


def ward_map(
    frame: gpd.GeoDataFrame,
    focus: str,
    *,
    title: str = "Needs index",
    assets: LeafletAssets | None = None,
) -> folium.Map:
    """A ward and its neighbours (``frames.neighbourhood_frame``) by needs score, the ward
    ``focus`` outlined in black and the map fitted to it and its neighbours."""
    _check(frame, ("ward_code", "name", "score"))
    if focus not in set(frame["ward_code"]):
        raise InvalidInputError(f"Ward {focus!r} is not in the frame to map.")
    fills = [need_colour(_number(score)) for score in frame["score"]]
    legend = need_legend()
    entries = [(c["colour"], c["label"]) for c in legend["classes"]]
    entries.append((legend["no_data"]["colour"], legend["no_data"]["label"]))
    fields = [c for c in ("name", "ward_code", "score", "rank") if c in frame]
    return _choropleth(
        frame,
        fills,
        fields,
        _legend_html(title, entries, "the ward outlined in black; its neighbours around it"),
        focus=focus,
        assets=assets,
    )


def _check(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in (*columns, "geometry") if c not in frame]
    if missing:
        raise InvalidInputError(f"The frame to map lacks the column(s) {', '.join(missing)}.")
    if frame.empty:
        raise InvalidInputError("There are no wards to map.")


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _choropleth(
    frame: gpd.GeoDataFrame,
    fills: list[str],
    fields: list[str],
    legend_html: str,
    *,
    focus: str | None = None,
    assets: LeafletAssets | None = None,
) -> folium.Map:
    import folium

    data = frame[[*fields, "geometry"]].copy()
    if "ward_code" not in data:
        data["ward_code"] = frame["ward_code"]
    data["_fill"] = fills
    data = data.to_crs(4326)
    west, south, east, north = data.total_bounds.tolist()
    fmap = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    figure = fmap.get_root()
    assert isinstance(figure, folium.Figure)
    figure.header.add_child(folium.Element("<style>.leaflet-container{background:#eef2f4}</style>"))

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        props = feature["properties"]
        focused = focus is not None and props["ward_code"] == focus
        return {
            "fillColor": props["_fill"],
            "fillOpacity": 0.85,
            "color": "#000000" if focused else "#5f6f7a",
            "weight": 3 if focused else 0.6,
        }

    folium.GeoJson(
        data.to_json(na="null"),
        name="wards",
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields, localize=True),
    ).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]], padding=(10, 10))
    figure.html.add_child(folium.Element(legend_html))
    if assets is not None:
        js, css = assets.data_uris()
        fmap.default_js = [("leaflet", js)]
        fmap.default_css = [("leaflet_css", css)]
    return fmap


def _legend_html(title: str, entries: list[tuple[str, str]], note: str) -> str:
    rows = "".join(
        f'<div><i style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f'background:{colour};border:1px solid #999"></i>{html.escape(label)}</div>'
        for colour, label in entries
    )
    return (
        '<div class="geosvc-legend" style="position:absolute;bottom:24px;right:10px;'
        "z-index:1000;background:#fff;padding:6px 8px;border-radius:4px;font:12px/1.4 "
        'sans-serif;max-width:240px;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
        f"<strong>{html.escape(title)}</strong>{rows}"
        f'<div style="color:#5f6f7a;margin-top:4px">{html.escape(note)}</div></div>'
    )
