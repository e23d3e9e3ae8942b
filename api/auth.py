"""The API's side of ``geosvc.auth``: who is calling, and whether their role allows it.

Credentials come as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; Open311 calls
also carry ``api_key`` as a parameter, which its router passes to ``principal_for_key``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from api.deps import ConnectionDep
from geosvc.auth import Principal, Role, authenticate, require


def credentials(request: Request) -> str | None:
    """The key the request carries in its headers, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def current_principal(request: Request, conn: ConnectionDep) -> Principal:
    """Whoever is calling; the anonymous public when no key is sent."""
    return authenticate(conn, credentials(request))


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def role(needed: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits callers with at least the ``needed`` role."""

    def check(principal: PrincipalDep) -> Principal:
        return require(principal, needed)

    check.__name__ = f"require_{needed.label}"
    return check


AgentDep = Annotated[Principal, Depends(role(Role.AGENT))]
StaffDep = Annotated[Principal, Depends(role(Role.STAFF))]
