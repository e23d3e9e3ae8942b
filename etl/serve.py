"""``geosvc serve``: run the API."""

from __future__ import annotations

import typer
import uvicorn

from geosvc.config import get_settings


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default GEOSVC_HOST)."),
    port: int | None = typer.Option(None, help="Port (default GEOSVC_PORT)."),
) -> None:
    """Serve the API and pages until interrupted."""
    # Imported here, not at the top: every other command would pay for the whole API.
    from api.main import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        # Open event streams end on shutdown by themselves; this bounds any that do not.
        timeout_graceful_shutdown=5,
    )
