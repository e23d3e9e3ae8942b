"""The SQL of the account tables: API keys (and login tokens) and the users who sign in.

Only hashes reach these functions; making keys and hashing passwords happen in
``geosvc.accounts.keys`` and ``geosvc.accounts.passwords``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, text


def insert_key(
    conn: Connection, name: str, role: str, key_hash: str, expires_at: datetime | None
) -> None:
    """Store a key's hash for ``name`` with ``role``, lapsing at ``expires_at`` if given."""
    conn.execute(
        text(
            "INSERT INTO api_key (name, role, key_hash, expires_at)"
            " VALUES (:name, :role, :hash, :expires_at)"
        ),
        {"name": name, "role": role, "hash": key_hash, "expires_at": expires_at},
    )


def revoke_key_hash(conn: Connection, key_hash: str) -> int:
    """Revoke the live key stored as ``key_hash``; how many were revoked (0 or 1)."""
    result = conn.execute(
        text("UPDATE api_key SET revoked_at = now() WHERE key_hash = :hash AND revoked_at IS NULL"),
        {"hash": key_hash},
    )
    return result.rowcount


def revoke_live_keys(conn: Connection, name: str) -> int:
    """Revoke every live key and login token of ``name``; how many."""
    result = conn.execute(
        text("UPDATE api_key SET revoked_at = now() WHERE name = :name AND revoked_at IS NULL"),
        {"name": name},
    )
    return result.rowcount


def revoke_login_tokens(conn: Connection, name: str) -> None:
    """Revoke the open login tokens (keys with an expiry) of ``name``, not their API keys."""
    conn.execute(
        text(
            "UPDATE api_key SET revoked_at = now()"
            " WHERE name = :name AND expires_at IS NOT NULL AND revoked_at IS NULL"
        ),
        {"name": name},
    )


def live_key(conn: Connection, key_hash: str) -> Row[str, str, bool] | None:
    """The unrevoked key stored as ``key_hash``: name, role and whether it has ``expired``."""
    return conn.execute(
        text(
            "SELECT name, role, expires_at <= now() AS expired FROM api_key"
            " WHERE key_hash = :hash AND revoked_at IS NULL"
        ),
        {"hash": key_hash},
    ).first()


def list_keys(conn: Connection) -> Sequence[Row[str, str, datetime, datetime | None]]:
    """Every key's name, role, ``created_at`` and ``revoked_at``, oldest first."""
    return conn.execute(
        text("SELECT name, role, created_at, revoked_at FROM api_key ORDER BY created_at")
    ).all()


def upsert_user(conn: Connection, name: str, role: str, password_hash: str) -> None:
    """Add a user, or give an existing one this role and password and enable them again."""
    conn.execute(
        text(
            "INSERT INTO app_user (username, role, password_hash) VALUES (:name, :role, :hash)"
            " ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role,"
            " password_hash = EXCLUDED.password_hash, disabled_at = NULL"
        ),
        {"name": name, "role": role, "hash": password_hash},
    )


def mark_user_disabled(conn: Connection, name: str) -> int:
    """Mark ``name`` as disabled; how many users matched (0 or 1)."""
    return conn.execute(
        text("UPDATE app_user SET disabled_at = now() WHERE username = :name"), {"name": name}
    ).rowcount


def enabled_user(conn: Connection, name: str) -> Row[str, str] | None:
    """The role and password hash of ``name`` if they exist and are not disabled."""
    return conn.execute(
        text(
            "SELECT role, password_hash FROM app_user"
            " WHERE username = :name AND disabled_at IS NULL"
        ),
        {"name": name},
    ).first()


def user_rows(conn: Connection) -> Sequence[Row[str, str, bool]]:
    """Every user's ``username``, ``role`` and whether they are ``active``, by name."""
    return conn.execute(
        text("SELECT username, role, disabled_at IS NULL AS active FROM app_user ORDER BY 1")
    ).all()
