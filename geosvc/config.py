"""Settings, read from ``GEOSVC_*`` environment variables and an optional ``.env`` file.

Settings are built once, on first use, never at import, so tests can build their own
with ``Settings(_env_file=None, database_url=...)``.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/geosvc"


class Settings(BaseSettings):
    """Everything that varies between deployments."""

    model_config = SettingsConfigDict(env_prefix="GEOSVC_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    ward_code_pattern: str = Field(
        r"^\d{8}$",
        description="Regular expression every ward code must match (default: the MDB's 8 digits).",
    )
    simplify_tolerance_m: float = Field(
        25.0, ge=0, description="Default tolerance for simplified ward outlines, in metres."
    )
    debug: bool = False

    # Service standards: the jurisdiction's working days and office hours.
    calendar_country: str = Field("ZA", description="ISO country code for public holidays.")
    calendar_subdivision: str | None = Field(None, description="ISO subdivision, if any.")
    timezone: str = "Africa/Johannesburg"
    office_opens: time = time(8, 0)
    office_closes: time = time(16, 30)

    # Requests.
    reference_prefix: str = Field("GSV", pattern=r"^[A-Z][A-Z0-9]{0,7}$")
    anonymous_actionable: bool = Field(
        False, description="Action requests without contact details (the policy says no)."
    )
    escalation_interval_s: float = Field(
        300.0, ge=0, description="How often the server runs the escalation job; 0 turns it off."
    )
    jurisdiction_id: str = Field("geosvc", description="Open311 jurisdiction_id served.")
    open311_contact: str = "Call centre: see the municipality's website."
    survey_max_upload_mb: float = Field(
        200.0, gt=0, description="Largest survey file an upload may send (413 beyond)."
    )
    survey_max_expanded_mb: float = Field(
        1024.0, gt=0, description="Most an XLSX or zip upload may expand to when read."
    )
    survey_max_precision_m: float = Field(
        50.0, gt=0, description="GPS precision beyond which a household's point is refused."
    )
    survey_wait_s: float = Field(
        10.0,
        ge=0,
        description="How long an upload waits for its batch before answering 202 and "
        "loading on in the background.",
    )

    # Analytics: defaults a service type or a command line may override.
    cluster_eps_m: float = Field(
        250.0, gt=0, description="DBSCAN radius in metres for service types without their own."
    )
    cluster_min_count: int = Field(
        5, ge=2, description="DBSCAN minimum incidents for service types without their own."
    )
    live_window_h: float = Field(
        168.0, gt=0, description="Live clusters: open incidents received in the last N hours."
    )
    live_refresh_s: float = Field(
        60.0,
        ge=0,
        description="The server recomputes every service type's live clusters this often, "
        "besides at once on each new request (0: no live clusters in the server).",
    )
    live_event_keep_days: float = Field(
        7.0,
        gt=0,
        description="The live event log (what a reconnecting board replays) keeps this many "
        "days; the live-cluster worker prunes older events.",
    )
    live_gap_wait_s: float = Field(
        0.5,
        ge=0,
        description="How long the live stream holds an event back while an earlier one is "
        "still uncommitted, so that events reach the board in id order.",
    )
    stream_heartbeat_s: float = Field(
        15.0, gt=0, description="Seconds between keep-alive comments on the event stream."
    )
    hotspot_permutations: int = Field(999, ge=99, description="Gi* conditional permutations.")
    hotspot_seed: int = Field(12345, description="Seed of the permutation inference.")
    hotspot_weights: Literal["queen", "distance"] = "queen"
    hotspot_threshold_m: float | None = Field(
        None, gt=0, description="Distance band in metres (hotspot_weights 'distance')."
    )
    trend_months: int = Field(12, ge=3, description="Months in the hotspot trend series.")
    scoreboard_min_requests: int = Field(
        20, ge=1, description="Fewer requests than this: a scoreboard row is not ranked."
    )
    analysis_keep_runs: int = Field(10, ge=1, description="Finished analysis runs kept.")

    # Pages.
    login_hours: float = Field(
        12.0, gt=0, description="How long a sign-in to the pages lasts, in hours."
    )
    secure_cookies: bool = Field(
        False, description="Send the login cookie over HTTPS only (set behind a TLS proxy)."
    )
    tile_url: str | None = Field(
        None,
        description="Optional raster background for the map pages, e.g. "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png (default: none, works offline).",
    )
    tile_attribution: str = Field("", description="Attribution shown with tile_url.")

    @field_validator("database_url")
    @classmethod
    def _use_psycopg_driver(cls, url: str) -> str:
        """Accept plain ``postgresql://`` URLs and point them at the psycopg 3 driver."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


@lru_cache
def get_settings() -> Settings:
    """The process's settings, built on first call."""
    return Settings()
