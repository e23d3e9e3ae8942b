"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.problems import add_problem_handlers
from api.routers import health, wards
from geosvc import __version__
from geosvc.config import Settings, get_settings
from geosvc.db import make_engine


def create_app(settings: Settings | None = None) -> FastAPI:
    """A geosvc application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="geosvc",
        version=__version__,
        summary="Where municipal basic services fail, and whether the municipality answered.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    add_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(wards.router)
    return app
