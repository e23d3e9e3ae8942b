"""The API's side of ``geosvc.accounts``: who is calling, and whether their role allows it.

Credentials come as ``Authorization: Bearer <key>``, ``X-API-Key: <key>`` or the login
cookie that ``POST /api/login`` sets for the pages; Open311 calls also carry ``api_key`` as
a parameter, which its router passes to ``principal_for_key``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from api.deps import ConnectionDep
from geosvc.accounts.keys import authenticate
from geosvc.accounts.roles import ANONYMOUS, Principal, Role, require
from geosvc.errors import AuthenticationError

TOKEN_COOKIE = "geosvc_token"


def credentials(request: Request) -> str | None:
    """The key the request carries in its headers, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def current_principal(request: Request, conn: ConnectionDep) -> Principal:
    """Whoever is calling; the anonymous public when no key is sent.

    A key in a header that does not work is an error (the caller meant it to count). A
    login cookie that has lapsed is not: the browser sends it to public pages too, and a
    citizen whose old sign-in expired must still be able to follow a request.
    """
    key = credentials(request)
    if key is not None:
        return authenticate(conn, key)
    cookie = request.cookies.get(TOKEN_COOKIE)
    if not cookie:
        return ANONYMOUS
    try:
        return authenticate(conn, cookie)
    except AuthenticationError:
        return ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def role(*needed: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits callers who have any of the ``needed`` roles."""

    def check(principal: PrincipalDep) -> Principal:
        return require(principal, *needed)

    check.__name__ = "require_" + "_or_".join(r.label for r in needed)
    return check


AgentDep = Annotated[Principal, Depends(role(Role.AGENT))]
StaffDep = Annotated[Principal, Depends(role(Role.STAFF))]
PlannerDep = Annotated[Principal, Depends(role(Role.PLANNER))]
WarroomDep = Annotated[Principal, Depends(role(Role.WARROOM))]
CdwDep = Annotated[Principal, Depends(role(Role.CDW))]
