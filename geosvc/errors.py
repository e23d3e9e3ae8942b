"""The domain's errors: each carries its HTTP status and a machine-readable code.

The message is written for the person who caused the error and must not contain
internal details (SQL, stack traces); the API shows it as an RFC 9457 problem.
"""

from __future__ import annotations

from http import HTTPStatus


class GeosvcError(Exception):
    """Base of every error the product raises on purpose."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(GeosvcError):
    """The named resource does not exist."""

    status = HTTPStatus.NOT_FOUND
    code = "not-found"
    title = "Not found"


class InvalidInputError(GeosvcError):
    """Input that the product cannot accept, with the reason."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid-input"
    title = "Invalid input"


class SourceFileError(InvalidInputError):
    """A file that cannot be loaded: unreadable, empty, or not what it should be."""

    code = "invalid-file"
    title = "File cannot be loaded"


class UploadTooLargeError(GeosvcError):
    """An upload bigger than the product accepts, or one that would expand beyond it."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "too-large"
    title = "Upload too large"


class DatabaseUnavailableError(GeosvcError):
    """The database cannot be reached or lacks PostGIS."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "database-unavailable"
    title = "Database unavailable"


class ConflictError(GeosvcError):
    """The request is well formed but the resource's state does not allow it."""

    status = HTTPStatus.CONFLICT
    code = "conflict"
    title = "Not allowed in the current state"


class AuthenticationError(GeosvcError):
    """No credentials, or credentials that match no key."""

    status = HTTPStatus.UNAUTHORIZED
    code = "unauthenticated"
    title = "Authentication required"


class PermissionDeniedError(GeosvcError):
    """Valid credentials whose role does not allow the action."""

    status = HTTPStatus.FORBIDDEN
    code = "forbidden"
    title = "Forbidden"
