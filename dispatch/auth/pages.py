"""Signing in on a browser, the language switch, and where each role lands."""

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dispatch.auth import service
from dispatch.deps import SESSION_COOKIE, LimiterDep, SessionDep, SettingsDep, StationsDep
from dispatch.errors import DispatchError
from dispatch.i18n import LOCALES
from dispatch.web.kit import (
    LANG_COOKIE,
    back_with,
    first_page,
    language,
    own_path,
    render,
    said,
    signed_in,
)
from models.enums import Role, TokenKind

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def home(
    request: Request, session: SessionDep, settings: SettingsDep, stations: StationsDep
) -> Response:
    """Volunteers land on today's route, managers on completion, coordinators on today."""
    principal = signed_in(request, session)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    if principal.role is Role.VOLUNTEER:
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        return RedirectResponse(f"/me/{today}", status_code=303)
    reached = stations.list(session, principal, first_page())
    if not reached.items:
        return RedirectResponse("/docs", status_code=303)
    station = reached.items[0]
    if principal.role is Role.MANAGER:  # managers audit completion; they do not plan
        one = reached.total == 1
        return RedirectResponse(f"/dashboard/{station.id}" if one else "/dashboard", 303)
    today = datetime.now(ZoneInfo(station.timezone)).date()
    return RedirectResponse(f"/days/{station.id}/{today}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", language(request))


@router.post("/login", response_model=None)
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        user = service.authenticate(session, limiter, username, password, address)
    except DispatchError as error:
        return back_with("/login", said(request, error))
    token, _row = service.issue_token(
        session, user, TokenKind.SESSION, timedelta(hours=settings.session_hours)
    )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.get("/language/{locale}", response_model=None)
def switch_language(locale: str, request: Request) -> Response:
    response = RedirectResponse(own_path(request.headers.get("referer")), status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response
