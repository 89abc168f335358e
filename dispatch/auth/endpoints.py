"""Logging in and out: a session cookie for browsers, bearer tokens for API clients."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from dispatch.auth import service
from dispatch.auth.schemas import LoginRequest, TokenPublic
from dispatch.deps import (
    SESSION_COOKIE,
    IdentityDep,
    LimiterDep,
    SessionDep,
    SettingsDep,
    TokenDep,
    check_form_token,
)
from dispatch.errors import FormExpired, NotAuthenticated, TooManyAttempts
from dispatch.http import error_responses
from dispatch.users.schemas import UserPublic
from dispatch.users.service import user_public
from models import User
from models.enums import TokenKind

router = APIRouter(prefix="/api/auth", tags=["accounts"])
_login_errors = error_responses(NotAuthenticated, TooManyAttempts)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# First: asked far more often than a login, and each route tried before costs a request.
@router.get("/me", response_model=UserPublic, responses=error_responses(NotAuthenticated))
async def me(identity: IdentityDep) -> UserPublic:
    """The logged-in account."""
    return identity.user


@router.post("/login", response_model=TokenPublic, responses=_login_errors)
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TokenPublic:
    """Log in from a browser: sets the session cookie (and returns the token)."""
    user = service.authenticate(session, limiter, body.username, body.password, _address(request))
    token, row = service.issue_token(
        session, user, TokenKind.SESSION, timedelta(hours=settings.session_hours)
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return _token_public(session, user, token, row.expires_at)


@router.post("/token", response_model=TokenPublic, responses=_login_errors)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TokenPublic:
    """Get a bearer token for an API client (OAuth2 password flow)."""
    user = service.authenticate(session, limiter, form.username, form.password, _address(request))
    access_token, row = service.issue_token(
        session, user, TokenKind.API, timedelta(days=settings.api_token_days), name="api"
    )
    return _token_public(session, user, access_token, row.expires_at)


@router.post(
    "/logout",
    status_code=204,
    dependencies=[Depends(check_form_token)],
    responses=error_responses(FormExpired),
)
def logout(response: Response, session: SessionDep, token: TokenDep) -> None:
    """End this session or revoke this bearer token."""
    if token:
        service.revoke(session, token)
    response.delete_cookie(SESSION_COOKIE)


def _token_public(session: SessionDep, user: User, token: str, expires_at: object) -> TokenPublic:
    return TokenPublic.model_validate(
        {"access_token": token, "expires_at": expires_at, "user": user_public(session, user)}
    )
