"""Errors the domain raises; the API maps each to its HTTP status and machine-readable code."""

from __future__ import annotations

from typing import Any


class FakaError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidRequest(FakaError):
    status = 400
    code = "invalid_request"


class Unauthorized(FakaError):
    status = 401
    code = "unauthorized"


class Forbidden(FakaError):
    status = 403
    code = "forbidden"


class NotFound(FakaError):
    status = 404
    code = "not_found"


class Conflict(FakaError):
    status = 409
    code = "conflict"


class TooManyRequests(FakaError):
    status = 429
    code = "rate_limited"
