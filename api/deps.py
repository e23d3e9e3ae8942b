"""Request dependencies: the one database connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from geosvc.config import Settings


def get_engine(request: Request) -> Engine:
    """The engine the application's lifespan created."""
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    """The settings the application was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A connection in a transaction, committed when the handler returns without error.

    Used with ``scope="function"`` so the commit happens before the response is sent: a
    client is never told 200 for a write whose commit then fails.
    """
    with engine.begin() as conn:
        yield conn


ConnectionDep = Annotated[Connection, Depends(get_connection, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
