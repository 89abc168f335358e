"""Business errors: typed, carrying their HTTP status, rendered by one handler in app.py."""

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from dispatch.i18n import N_


class DispatchError(Exception):
    """`message` is an English sentence marked for translation (N_), with %(name)s fields
    filled from `params`: the API answers it in English, a page in the reader's language."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **params: object) -> None:
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)

    def words(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language."""
        said = gettext(self.template)
        return said % self.params if self.params else said

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
        super().__init__(
            N_("this page is out of date or came from elsewhere: reload it and try again")
        )


class NotFound(DispatchError):
    status_code = 404
    code = "not_found"

    def __init__(self, entity: str, entity_id: int | str) -> None:
        super().__init__(N_("%(entity)s %(id)s was not found"), entity=entity, id=entity_id)


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
    def field(cls, field: str, message: str, **params: object) -> "InvalidInput":
        """`message`: an English sentence marked for translation (N_), with %(name)s fields
        filled from `params`; kept as its template and values for the pages to say it in the
        reader's language."""
        error = {
            "loc": ["body", field],
            "msg": message % params if params else message,
            "type": "value_error",
            "template": message,
            "params": {k: v for k, v in params.items() if _plain(v)},
        }
        return cls([error])

    @classmethod
    def of(cls, error: ValidationError) -> "InvalidInput":
        """A schema's validation error, located in the request body; a rule's refusal keeps
        its sentence and values (`template`, `params`) and a limit its numbers (`ctx`), for
        the pages to say them in the reader's language."""
        return cls([_located(e) for e in error.errors()])

    def body(self) -> dict[str, Any]:
        return {"detail": self.errors, "code": self.code}


def _located(error: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "loc": ["body", *error["loc"]],
        "msg": error["msg"].removeprefix("Value error, "),
        "type": error["type"],
    }
    ctx: dict[str, Any] = error.get("ctx") or {}
    cause = ctx.get("error")
    template = getattr(cause, "template", None)
    if isinstance(template, str):  # models.validation.Refusal
        found["template"] = template
        found["params"] = {k: v for k, v in getattr(cause, "params", {}).items() if _plain(v)}
    numbers = {k: v for k, v in ctx.items() if k != "error" and _plain(v)}
    if numbers:
        found["ctx"] = numbers
    return found


def _plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool | list)


class ImportRejected(DispatchError):
    """A file with bad rows: nothing was imported; every problem is listed."""

    status_code = 422
    code = "import_rejected"

    listed = 100  # a file of thousands of bad rows: the first problems say what to fix

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        if len(problems) == 1 and problems[0]["row"] == 0:  # the whole file: unreadable, too long
            super().__init__(
                N_("the file was not imported: %(reason)s"), reason=problems[0]["message"]
            )
        else:
            super().__init__(
                N_("the file was not imported: %(n)s problem(s) found"), n=len(problems)
            )
        self.problems = problems[: self.listed]
        self.omitted = len(problems) - len(self.problems)

    def words(self, gettext: Callable[[str], str]) -> str:
        whole = self.problems[0] if len(self.problems) == 1 else {}
        if whole.get("row") == 0 and whole.get("template"):
            reason = gettext(whole["template"]) % whole.get("params", {})
            return gettext(self.template) % {"reason": reason}
        return super().words(gettext)

    def body(self) -> dict[str, Any]:
        problems = [  # the sentences, without what translates them
            {k: v for k, v in p.items() if k in ("row", "column", "message")} for p in self.problems
        ]
        return {
            "detail": self.message,
            "code": self.code,
            "problems": problems,
            "problems_omitted": self.omitted,
        }
