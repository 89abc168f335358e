"""What every endpoint shares about HTTP: the business errors as responses (rendered here and
declared in OpenAPI), and absolute links for what is sent out of the app."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from dispatch.errors import DispatchError


def error_responses(*errors: type[DispatchError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the business errors an endpoint may answer with."""
    return {e.status_code: {"description": e.__doc__ or e.code} for e in errors}


async def render_error(_request: Request, error: Exception) -> JSONResponse:
    """The one place a business error becomes an HTTP response."""
    assert isinstance(error, DispatchError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse(error.body(), status_code=error.status_code, headers=headers)


def absolute_url(request: Request, path: str) -> str:
    """`path` of this app as a full address, for a QR code or a message."""
    return str(request.base_url).rstrip("/") + path
