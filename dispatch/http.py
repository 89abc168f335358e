"""What every endpoint shares about HTTP: the business errors as responses (rendered here and
declared in OpenAPI), absolute links for what is sent out of the app, and the security
headers every answer carries."""

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.errors import DispatchError, InvalidInput


class Problem(BaseModel):
    """Every error the API answers with: a sentence (or, for input errors, one entry per
    field with its location and message), and a code a program can test."""

    detail: str | list[dict[str, Any]]
    code: str
    problems: list[dict[str, Any]] | None = None  # an import's rejected rows
    problems_omitted: int | None = None  # past the first listed


# Every API route may refuse its input: the 422 is declared once, with the shape sent.
INPUT_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "The request's input is invalid", "model": Problem}
}


def error_responses(*errors: type[DispatchError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the business errors an endpoint may answer with."""
    return {e.status_code: {"description": e.__doc__ or e.code, "model": Problem} for e in errors}


async def render_error(_request: Request, error: Exception) -> JSONResponse:
    """The one place a business error becomes an HTTP response."""
    assert isinstance(error, DispatchError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse(error.body(), status_code=error.status_code, headers=headers)


async def render_invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own input errors in the same shape as the services' (`Problem`)."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse(
        {"detail": jsonable_encoder(error.errors()), "code": InvalidInput.code}, status_code=422
    )


async def render_out_of_range(_request: Request, _error: Exception) -> JSONResponse:
    """A value the database cannot hold (an id past its integer range, a NUL character in
    a text) is the request's fault, not the server's: 422 with what to change."""
    return JSONResponse(
        {
            "detail": "a value in the request is out of range for the database "
            "(a number too large, or a character a text cannot hold)",
            "code": "out_of_range",
        },
        status_code=422,
    )


M = TypeVar("M", bound=BaseModel)


async def json_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as `model`, read by the endpoint rather than by FastAPI
    (dispatch.deps.principal_of says when): refused as FastAPI refuses it, 422 with each
    problem located in the body. `declared_body` declares it in OpenAPI."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(
            [_in_body(problem) for problem in error.errors(include_url=False)]
        ) from None


def _in_body(problem: Any) -> dict[str, Any]:
    located: dict[str, Any] = problem | {"loc": ("body", *problem["loc"])}
    if isinstance(located.get("input"), bytes):  # not JSON, maybe not even text: not echoed
        located["input"] = {}
    return located


def declared_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` of an endpoint that reads its body with `json_body`. The model must
    also be the body of another endpoint: that puts it among OpenAPI's schemas."""
    reference = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": reference}}}
    }


def absolute_url(request: Request, path: str) -> str:
    """`path` of this app as a full address, for a QR code or a message."""
    return str(request.base_url).rstrip("/") + path


class SecurityHeaders:
    """Headers every answer carries: no framing, no type sniffing, no referrer to other
    sites, and a content policy that lets the pages run only the app's own scripts (map
    tiles from the configured tile server are the one outside source). The API's own docs
    page (/docs, /redoc) loads its viewer from a CDN and is left without the policy. HSTS
    when the app is served over HTTPS (secure cookies)."""

    def __init__(self, app: ASGIApp, *, tiles: str | None, https: bool) -> None:
        self.app = app
        images = "'self' data: blob:" + (f" {_origin(tiles)}" if tiles else "")
        policy = (
            f"default-src 'self'; img-src {images}; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))
        self.policy = (b"content-security-policy", policy.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc", "/docs/oauth2-redirect")
        extra = self.headers if docs else [*self.headers, self.policy]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL template such as https://tile.example/{z}/{x}/{y}.png"""
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


class CrossSiteGuard:
    """A request that changes something on the strength of the session cookie must come from
    the app's own pages: a browser says where a request comes from (Sec-Fetch-Site, Origin),
    and a form or script of another site (another port, a sibling subdomain included) is
    refused with 403 before anything runs. SameSite=Lax alone lets same-site pages through.
    Requests with a bearer token, and clients that send neither header (not browsers), are
    not concerned: a browser always sends one of them with a POST."""

    def __init__(self, app: ASGIApp, *, cookie: str) -> None:
        self.app = app
        self.cookie = cookie.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _cross_site(scope, self.cookie):
            response = JSONResponse(
                {
                    "detail": "this request came from another site: "
                    "open CareRoute's own page and try again",
                    "code": "cross_site",
                },
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _cross_site(scope: Scope, cookie: bytes) -> bool:
    if scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    headers = dict(scope["headers"])
    if b"authorization" in headers or cookie + b"=" not in headers.get(b"cookie", b""):
        return False
    fetch_site = headers.get(b"sec-fetch-site")
    if fetch_site is not None:
        return bool(fetch_site not in (b"same-origin", b"none"))
    origin = headers.get(b"origin")
    if origin is None:
        return False
    host = headers.get(b"host", b"")
    return bool(origin.split(b"://", 1)[-1] != host)


class RequestGuard:
    """What no endpoint should have to check: a body past `max_bytes` is refused with 413
    before it is read whole, and a NUL character in the path, the query or a JSON or form
    field with 422 (PostgreSQL cannot store one, and no person types one: both databases
    answer the same). Uploaded files are the import's to read."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await _refuse(scope, receive, send, 413, "too_large", self._too_large())
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _refuse(scope, receive, send, 413, "too_large", self._too_large())
                return
        if _has_nul(scope, headers.get(b"content-type", b""), body):
            await _refuse(scope, receive, send, 422, "invalid_input", NUL_REFUSED)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request is larger than {self.max_bytes // 1_000_000} MB: send less at once"


NUL_REFUSED = "a text in the request holds a NUL character (\\u0000), which no field may hold"


def _has_nul(scope: Scope, content_type: bytes, body: bytes) -> bool:
    if b"%00" in scope.get("raw_path", b"") or "\x00" in scope["path"]:
        return True
    if b"%00" in scope.get("query_string", b""):
        return True
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return b"%00" in body or b"\x00" in body
    if content_type.startswith(b"application/json"):
        # Decoded, a JSON text holds a NUL only where it says \u0000 (strict JSON refuses the
        # raw character); a text in UTF-16 or UTF-32 holds zero bytes and is parsed.
        if b"\\u0000" not in body and b"\x00" not in body:
            return False
        try:
            return _any_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the endpoint says so
    return False


def _any_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_any_nul(k) or _any_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_nul(v) for v in value)
    return False


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str
) -> None:
    await JSONResponse({"detail": detail, "code": code}, status_code=status)(scope, receive, send)
