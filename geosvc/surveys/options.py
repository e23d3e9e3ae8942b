"""Survey load options from the settings, shared by the command line and the API."""

from __future__ import annotations

from geosvc.config import Settings
from geosvc.surveys.checks import CheckOptions
from geosvc.surveys.formats import ReadLimits
from geosvc.surveys.loader import LoadOptions

MB = 1024 * 1024


def load_options(settings: Settings, *, all_or_nothing: bool = False) -> LoadOptions:
    """How to load a batch under ``settings``: precision threshold and read limits."""
    return LoadOptions(
        all_or_nothing=all_or_nothing,
        checks=CheckOptions(max_precision_m=settings.survey_max_precision_m),
        limits=ReadLimits(max_expanded_bytes=int(settings.survey_max_expanded_mb * MB)),
    )
