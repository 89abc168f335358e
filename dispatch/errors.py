"""Business errors: typed, carrying their HTTP status, rendered by one handler in app.py."""

from typing import Any

from pydantic import ValidationError


class DispatchError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code}


class NotAuthenticated(DispatchError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(DispatchError):
    status_code = 403
    code = "forbidden"


class FormExpired(Forbidden):
    """A change sent with the session cookie but without the page's anti-forgery token."""

    code = "form_token"

    def __init__(self) -> None:
        super().__init__("this page is out of date or came from elsewhere: reload it and try again")


class NotFound(DispatchError):
    status_code = 404
    code = "not_found"

    def __init__(self, entity: str, entity_id: int | str) -> None:
        super().__init__(f"{entity} {entity_id} was not found")


class Conflict(DispatchError):
    status_code = 409
    code = "conflict"


class Gone(DispatchError):
    """It existed, and no longer works: an expired or revoked link."""

    status_code = 410
    code = "gone"


class HasHistory(Conflict):
    code = "has_history"


class Unavailable(DispatchError):
    """A feature this installation lacks a system part for (said what to install)."""

    status_code = 503
    code = "unavailable"


class TooManyAttempts(DispatchError):
    status_code = 429
    code = "too_many_attempts"


class InvalidInput(DispatchError):
    """Field-level problems found by a service; rendered like FastAPI's own 422."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors

    @classmethod
    def field(cls, field: str, message: str) -> "InvalidInput":
        return cls([{"loc": ["body", field], "msg": message, "type": "value_error"}])

    @classmethod
    def of(cls, error: ValidationError) -> "InvalidInput":
        """A schema's validation error, located in the request body."""
        return cls(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in error.errors()
            ]
        )

    def body(self) -> dict[str, Any]:
        return {"detail": self.errors, "code": self.code}


class ImportRejected(DispatchError):
    """A file with bad rows: nothing was imported; every problem is listed."""

    status_code = 422
    code = "import_rejected"

    listed = 100  # a file of thousands of bad rows: the first problems say what to fix

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        whole_file = len(problems) == 1 and problems[0]["row"] == 0  # unreadable, too long
        reason = problems[0]["message"] if whole_file else f"{len(problems)} problem(s) found"
        super().__init__(f"the file was not imported: {reason}")
        self.problems = problems[: self.listed]
        self.omitted = len(problems) - len(self.problems)

    def body(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "code": self.code,
            "problems": self.problems,
            "problems_omitted": self.omitted,
        }
