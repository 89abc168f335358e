"""Dependencies of the endpoints, each declared once as an Annotated alias."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.auth import service as auth_service
from dispatch.auth.ratelimit import LoginLimiter
from dispatch.config import Settings
from dispatch.db import for_writing
from dispatch.errors import NotAuthenticated

SESSION_COOKIE = "careroute_session"

# Only for the "Authorize" button of /docs; the token itself is read below.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    engine = request.app.state.engine
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        engine = for_writing(engine)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]


def request_token(request: Request, bearer: Annotated[str | None, Depends(_bearer)]) -> str | None:
    """The bearer token of an API client, or the session cookie of a browser."""
    return bearer or request.cookies.get(SESSION_COOKIE)


TokenDep = Annotated[str | None, Depends(request_token)]


def current_principal(session: SessionDep, token: TokenDep, request: Request) -> Principal:
    if not token:
        raise NotAuthenticated("log in first: send a bearer token or the session cookie")
    interface = "api" if request.headers.get("authorization") else "web"
    return auth_service.principal_for_token(session, token, interface=interface)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
