"""Vector-tile settings, read from ``GEOSVC_TILES_*`` variables (built once, on first use)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TileSettings(BaseSettings):
    """How vector tiles are cut and how long clients may keep them."""

    model_config = SettingsConfigDict(env_prefix="GEOSVC_TILES_", env_file=".env", extra="ignore")

    aggregate_below_zoom: int = Field(
        12,
        ge=0,
        le=30,
        description="Below this zoom, point layers are counted in grid cells, not drawn one "
        "by one (a z8 tile over a metro would otherwise hold every incident).",
    )
    cell_px: int = Field(
        4, ge=1, le=256, description="Grid cell size in pixels of a 256-pixel tile."
    )
    extent: int = Field(4096, ge=256, le=16384, description="MVT tile extent in tile units.")
    buffer: int = Field(
        64, ge=0, le=1024, description="Tile units drawn beyond the edge, so symbols join up."
    )
    max_zoom: int = Field(22, ge=0, le=30, description="Highest zoom served.")
    max_age_s: int = Field(
        60, ge=0, description="Cache-Control max-age of incident and survey tiles."
    )
    ward_max_age_s: int = Field(
        3600, ge=0, description="Cache-Control max-age of ward tiles (wards rarely change)."
    )


@lru_cache
def get_tile_settings() -> TileSettings:
    """The process's tile settings, built on first call."""
    return TileSettings()
