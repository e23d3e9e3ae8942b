"""Who may do what: API keys with a role, checked in one place.

Roles are ordered; each includes the ones below it:

- ``public``: anyone, no key needed to read public data; an app holding a public key may
  lodge Open311 requests;
- ``cdw``: community development workers, who upload household-survey batches;
- ``agent``: call-centre agents, who lodge on a caller's behalf, read requests with their
  contact details, add notes and notify customers;
- ``staff``: municipal officers, who acknowledge, assign, hold, close and reopen;
- ``admin``: everything, including managing keys.

Only the SHA-256 of a key is stored. A later issue may put a login in front of this; the
role check (``require``) stays the one place that decides.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import Connection, text

from geosvc.errors import AuthenticationError, InvalidInputError, PermissionDeniedError


class Role(IntEnum):
    """A role; a higher value may do everything a lower one may."""

    PUBLIC = 0
    CDW = 1
    AGENT = 2
    STAFF = 3
    ADMIN = 4

    @classmethod
    def parse(cls, name: str) -> Role:
        """The role called ``name`` (case-insensitive)."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            names = ", ".join(r.name.lower() for r in cls)
            raise InvalidInputError(f"role must be one of {names}, not {name!r}.") from None

    @property
    def label(self) -> str:
        """The role's name as users write it."""
        return self.name.lower()


@dataclass(frozen=True)
class Principal:
    """Whoever is making a call: the key's name and role, or the anonymous public."""

    name: str
    role: Role

    @property
    def is_public(self) -> bool:
        """Whether the caller gets only what the public may see."""
        return self.role < Role.AGENT


ANONYMOUS = Principal("public", Role.PUBLIC)


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(conn: Connection, name: str, role: Role) -> str:
    """Create a key for ``name`` with ``role``; returns the key, which is shown only once."""
    if not name.strip():
        raise InvalidInputError("A key needs a name: the person, team or app that holds it.")
    key = "gsv_" + secrets.token_urlsafe(32)
    conn.execute(
        text("INSERT INTO api_key (name, role, key_hash) VALUES (:name, :role, :hash)"),
        {"name": name.strip(), "role": role.label, "hash": hash_key(key)},
    )
    return key


def revoke_keys(conn: Connection, name: str) -> int:
    """Revoke every live key of ``name``; returns how many."""
    result = conn.execute(
        text("UPDATE api_key SET revoked_at = now() WHERE name = :name AND revoked_at IS NULL"),
        {"name": name},
    )
    return result.rowcount


def authenticate(conn: Connection, key: str | None) -> Principal:
    """The principal holding ``key``; the anonymous public without one.

    Raises AuthenticationError for a key that is unknown or revoked: a caller who sent a
    key expects it to count, and silently treating them as public would hide the mistake.
    """
    if not key:
        return ANONYMOUS
    row = conn.execute(
        text("SELECT name, role FROM api_key WHERE key_hash = :hash AND revoked_at IS NULL"),
        {"hash": hash_key(key)},
    ).first()
    if row is None:
        raise AuthenticationError("The API key is unknown or has been revoked.")
    return Principal(row.name, Role.parse(row.role))


def require(principal: Principal, role: Role) -> Principal:
    """``principal`` if its role is at least ``role``; otherwise an error saying what is needed."""
    if principal.role >= role:
        return principal
    if principal.role is Role.PUBLIC and principal is ANONYMOUS:
        raise AuthenticationError(f"This needs an API key with the {role.label} role.")
    raise PermissionDeniedError(
        f"This needs the {role.label} role; the key of {principal.name} has {principal.role.label}."
    )
