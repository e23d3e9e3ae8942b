"""Signing in to the pages: ``/api/login``, ``/api/logout``, ``/api/me`` and ``/api/config``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from api.auth import TOKEN_COOKIE, PrincipalDep
from api.deps import ConnectionDep, SettingsDep
from geosvc.accounts.keys import revoke_key
from geosvc.accounts.users import login

router = APIRouter(prefix="/api", tags=["session"])


class LoginIn(BaseModel):
    """A user name and password."""

    username: str = Field(min_length=1, max_length=64, examples=["planner"])
    password: str = Field(min_length=1, max_length=256, examples=["pw-planner"])


class LoginOut(BaseModel):
    """The token a sign-in issued (also set as an HttpOnly cookie for the pages)."""

    token: str
    name: str
    role: str
    expires_at: datetime


class MeOut(BaseModel):
    """Who the caller is and every role they have."""

    name: str
    role: str
    roles: list[str]
    signed_in: bool


class ConfigOut(BaseModel):
    """What the pages need to know about this deployment."""

    tile_url: str | None
    tile_attribution: str
    jurisdiction_id: str


@router.post("/login", response_model=LoginOut, summary="Sign in and get a token")
def sign_in(
    body: Annotated[LoginIn, Body()], response: Response, conn: ConnectionDep, settings: SettingsDep
) -> LoginOut:
    """Check the name and password; answer a token and set it as the ``geosvc_token`` cookie.

    The cookie is HttpOnly and SameSite=Strict, so page scripts cannot read it and other
    sites cannot make a browser send it.
    """
    issued = login(conn, body.username, body.password, timedelta(hours=settings.login_hours))
    response.set_cookie(
        TOKEN_COOKIE,
        issued.token,
        max_age=int(settings.login_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return LoginOut(
        token=issued.token, name=issued.name, role=issued.role.value, expires_at=issued.expires_at
    )


@router.post("/logout", status_code=204, summary="Sign out")
def sign_out(request: Request, response: Response, conn: ConnectionDep) -> Response:
    """Revoke the login token of the cookie (if any) and clear the cookie."""
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        revoke_key(conn, token)
    response.status_code = 204
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut, summary="Who is signed in")
def me(principal: PrincipalDep) -> MeOut:
    """The caller's name and roles; the anonymous public when not signed in."""
    return MeOut(
        name=principal.name,
        role=principal.role.value,
        roles=principal.roles,
        signed_in=not principal.has_no_credential,
    )


@router.get("/config", response_model=ConfigOut, summary="Settings the pages use")
def config(settings: SettingsDep) -> ConfigOut:
    """The optional map background and the jurisdiction."""
    return ConfigOut(
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
        jurisdiction_id=settings.jurisdiction_id,
    )
