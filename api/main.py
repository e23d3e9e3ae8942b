"""The application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from api import openapi
from api.limits import UploadLimit
from api.open311.router import router as open311_router
from api.problems import add_problem_handlers
from api.routers import (
    analytics,
    features,
    health,
    i18n,
    pages,
    planner,
    requests,
    session,
    status,
    stream,
    surveys,
    tiles,
    wards,
    warroom,
)
from geosvc import __version__
from geosvc.analytics.jobs.live_worker import LiveClusterWorker
from geosvc.config import Settings, get_settings
from geosvc.db import make_engine
from geosvc.requests.schedule import escalate_forever
from geosvc.requests.working_days import calendar_for


def create_app(settings: Settings | None = None) -> FastAPI:
    """A geosvc application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url)
        job = None
        if settings.escalation_interval_s > 0:
            calendar = calendar_for(settings)
            job = asyncio.create_task(
                escalate_forever(app.state.engine, calendar, settings.escalation_interval_s)
            )
        worker = None
        if settings.live_refresh_s > 0:
            worker = LiveClusterWorker(app.state.engine, settings)
            worker.start()
        yield
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        if job is not None:
            job.cancel()
            with suppress(asyncio.CancelledError):
                await job
        app.state.engine.dispose()

    app = FastAPI(
        title="geosvc",
        version=__version__,
        summary="Where municipal basic services fail, and whether the municipality answered.",
        lifespan=lifespan,
        # /docs is served below from the vendored Swagger UI: FastAPI's default page
        # loads its scripts from a CDN, which an offline municipal network cannot reach.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    add_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(wards.router)
    app.include_router(requests.router)
    app.include_router(status.router)
    app.include_router(open311_router)
    app.include_router(surveys.router)
    app.include_router(analytics.router)
    app.include_router(session.router)
    app.include_router(features.router)
    app.include_router(tiles.router)
    app.include_router(stream.router)
    app.include_router(warroom.router)
    app.include_router(planner.router)
    app.include_router(i18n.router)
    # The pages' /{name} route goes last, after /docs, so it never shadows another route.
    openapi.install(app)
    pages.add_docs(app)
    pages.mount_static(app)
    app.include_router(pages.router)
    upload_bytes = int(settings.survey_max_upload_mb * 1024 * 1024)
    app.add_middleware(UploadLimit, prefix="/api/surveys/", max_bytes=upload_bytes)
    return app
