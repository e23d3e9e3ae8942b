"""People who sign in to the pages: a name, a role and a password, and the login itself.

A login issues an ordinary API key (``geosvc.auth``) with an expiry, so every endpoint
checks a signed-in page and a script's key in the same way. Passwords are hashed with
scrypt from the standard library (no extra dependency for one function), with a random
salt per user; only the hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text

from geosvc.auth import Role, create_key
from geosvc.errors import AuthenticationError, InvalidInputError

MIN_PASSWORD_LENGTH = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Login:
    """A successful sign-in: the token to send back, whose it is and when it lapses."""

    token: str
    name: str
    role: Role
    expires_at: datetime


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` for ``password``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (compared in constant time)."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, _ = rest.partition("$")
    if scheme != "scrypt" or not salt_hex:
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)), stored)


def create_user(conn: Connection, name: str, role: Role, password: str) -> None:
    """Add a user, or reset the role and password of an existing one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters; this has {len(password)}."
        )
    if not name or len(name) > 64 or not all(c.isalnum() or c in "_.@-" for c in name):
        raise InvalidInputError(
            f"A user name is 1-64 letters, digits or _ . @ - (no spaces), not {name!r}."
        )
    conn.execute(
        text(
            "INSERT INTO app_user (username, role, password_hash) VALUES (:name, :role, :hash)"
            " ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role,"
            " password_hash = EXCLUDED.password_hash, disabled_at = NULL"
        ),
        {"name": name, "role": role.value, "hash": hash_password(password)},
    )


def disable_user(conn: Connection, name: str) -> bool:
    """Stop ``name`` signing in and end their open logins; whether the user existed."""
    found = conn.execute(
        text("UPDATE app_user SET disabled_at = now() WHERE username = :name"), {"name": name}
    ).rowcount
    conn.execute(
        text(
            "UPDATE api_key SET revoked_at = now()"
            " WHERE name = :name AND expires_at IS NOT NULL AND revoked_at IS NULL"
        ),
        {"name": name},
    )
    return found > 0


def login(conn: Connection, name: str, password: str, lifetime: timedelta) -> Login:
    """Check ``name`` and ``password`` and issue a token that lapses after ``lifetime``.

    The same error answers an unknown name and a wrong password, so a caller cannot tell
    which user names exist.
    """
    row = conn.execute(
        text(
            "SELECT role, password_hash FROM app_user"
            " WHERE username = :name AND disabled_at IS NULL"
        ),
        {"name": name},
    ).first()
    if row is None or not password_matches(password, row.password_hash):
        raise AuthenticationError("The user name or password is wrong.")
    role = Role.parse(row.role)
    expires_at = datetime.now(UTC) + lifetime
    token = create_key(conn, name, role, expires_at=expires_at)
    return Login(token, name, role, expires_at)


def list_users(conn: Connection) -> list[tuple[str, str, bool]]:
    """Every user's name, role and whether they may sign in, by name."""
    rows = conn.execute(
        text("SELECT username, role, disabled_at IS NULL AS active FROM app_user ORDER BY 1")
    ).all()
    return [(r.username, r.role, r.active) for r in rows]
