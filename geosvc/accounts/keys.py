"""API keys and login tokens: making them, checking them, revoking them.

A credential is either an API key (``geosvc keys create``) or a token issued at login,
which lapses; only the SHA-256 of either is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Connection

from geosvc.accounts import repo
from geosvc.accounts.roles import ANONYMOUS, Principal, Role
from geosvc.errors import AuthenticationError, InvalidInputError


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    conn: Connection, name: str, role: Role, *, expires_at: datetime | None = None
) -> str:
    """Create a key for ``name`` with ``role``; returns the key, which is shown only once.

    A key with ``expires_at`` (a login token) stops working at that moment.
    """
    if not name.strip():
        raise InvalidInputError("A key needs a name: the person, team or app that holds it.")
    key = "gsv_" + secrets.token_urlsafe(32)
    repo.insert_key(conn, name.strip(), role.label, hash_key(key), expires_at)
    return key


def revoke_key(conn: Connection, key: str) -> bool:
    """Revoke this one key (signing out); whether it was live."""
    return repo.revoke_key_hash(conn, hash_key(key)) > 0


def revoke_keys(conn: Connection, name: str) -> int:
    """Revoke every live key of ``name``; returns how many."""
    return repo.revoke_live_keys(conn, name)


def authenticate(conn: Connection, key: str | None) -> Principal:
    """The principal holding ``key``; the anonymous public without one.

    Raises AuthenticationError for a key that is unknown or revoked: a caller who sent a
    key expects it to count, and silently treating them as public would hide the mistake.
    """
    if not key:
        return ANONYMOUS
    row = repo.live_key(conn, hash_key(key))
    if row is None:
        raise AuthenticationError("The API key or login token is unknown or has been revoked.")
    if row.expired:
        raise AuthenticationError("The login has expired: sign in again.")
    return Principal(row.name, Role.parse(row.role))
