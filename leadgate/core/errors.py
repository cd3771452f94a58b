"""The DomainError tree. Each error has a stable `code`; the API maps them to problem+json."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "Request refused"

    def __init__(self, detail: str, *, errors: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)

    def extra(self) -> dict[str, object]:
        return {}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422
    title = "Invalid input"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", errors=[FieldProblem(field, message)])


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401
    title = "Not signed in"


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = "Not allowed"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    """A named transition refused in the record's current state."""

    code = "invalid_transition"
    title = "Transition not allowed"

    def __init__(self, detail: str, *, state: str, allowed: Sequence[str]) -> None:
        super().__init__(detail)
        self.state = state
        self.allowed = sorted(allowed)

    def extra(self) -> dict[str, object]:
        return {"state": self.state, "allowed": self.allowed}


class ReadOnlyRecord(Conflict):
    code = "read_only"
    title = "Record is read-only"


class StaleRecord(DomainError):
    code = "stale"
    status = 412
    title = "Record changed since you read it"


class PreconditionRequired(DomainError):
    code = "if_match_required"
    status = 428
    title = "If-Match required"
