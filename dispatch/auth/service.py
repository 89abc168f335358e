"""Passwords, logins and tokens.

A token is a random string handed to the user once; only its SHA-256 is stored. The same
tokens serve browsers (in an HttpOnly cookie) and API clients (as a bearer token).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from pwdlib import PasswordHash
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.audit import chain
from dispatch.auth import repository
from dispatch.auth.cache import SignedIn
from dispatch.auth.ratelimit import LoginLimiter
from dispatch.errors import NotAuthenticated, TooManyAttempts
from dispatch.i18n import N_
from dispatch.users.schemas import UserPublic
from models import AuthToken, User
from models.common import utcnow
from models.enums import Role, TokenKind

_hasher = PasswordHash.recommended()  # argon2id
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("careroute-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(
    session: Session, limiter: LoginLimiter, username: str, password: str, address: str
) -> User:
    """The user with these credentials; failures count towards the rate limit."""
    if limiter.blocked(username, address):
        raise TooManyAttempts(N_("too many failed logins; wait a minute and try again"))
    user = repository.user_by_username(session, username)
    valid, new_hash = _hasher.verify_and_update(
        password, user.password_hash if user and user.password_hash else _DUMMY_HASH
    )
    if user is None or not valid or not _may_log_in(user):
        limiter.failed(username, address)
        raise NotAuthenticated(N_("wrong username or password"))
    if new_hash is not None:
        user.password_hash = new_hash  # hashing parameters were raised since it was stored
    user.last_login_at = utcnow()
    session.add(user)
    return user


def issue_token(
    session: Session, user: User, kind: TokenKind, lifetime: timedelta, name: str = ""
) -> tuple[str, AuthToken]:
    token = secrets.token_urlsafe(32)
    row = AuthToken(
        user_id=_id(user),
        token_hash=_digest(token),
        kind=kind,
        name=name,
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    chain.record(
        session,
        principal_for_user(session, user, interface="web" if kind is TokenKind.SESSION else "api"),
        action="login",
        entity="user",
        entity_id=user.id,
        station_id=None,
        changes={"token_kind": [None, str(kind)]},
    )
    return token, row


def signed_in(session: Session, token: str, *, interface: str) -> SignedIn:
    """Whom a valid token stands for (else NotAuthenticated)."""
    found = repository.token_with_user(session, _digest(token))
    if found is None or found[0].revoked_at is not None or found[0].expires_at <= utcnow():
        raise NotAuthenticated(N_("the session has expired or was ended; log in again"))
    row, user, volunteer_station = found
    if not _may_log_in(user):
        raise NotAuthenticated(N_("this account is disabled"))
    principal = principal_for_user(session, user, interface=interface, station=volunteer_station)
    # A staff account's stations are its principal's: read once.
    stations = None if user.role is Role.VOLUNTEER else sorted(principal.station_ids)
    first = min(principal.station_ids, default=None)
    locale = repository.station_locale(session, first) if first is not None else None
    return SignedIn(
        principal, user_public(session, user, stations), row.expires_at, locale or "zh-CN"
    )


def user_public(session: Session, user: User, stations: list[int] | None = None) -> UserPublic:
    """The account as its reader sees it, with its stations (read unless given)."""
    if stations is None:
        stations = repository.station_ids(session, _id(user))
    return UserPublic.model_validate(user.model_dump() | {"station_ids": stations})


def token_key(token: str, interface: str) -> tuple[str, str]:
    """What a token is kept under in the cache of who is signed in."""
    return _digest(token), interface


def principal_for_user(
    session: Session, user: User, *, interface: str, station: int | None = None
) -> Principal:
    """`station`: a volunteer's station when the caller read it already."""
    if user.role is Role.VOLUNTEER and user.volunteer_id is not None:
        if station is None:
            volunteer = repository.volunteer(session, user.volunteer_id)
            station = volunteer.station_id if volunteer else None
        stations = frozenset() if station is None else frozenset({station})
    else:
        stations = frozenset(repository.station_ids(session, _id(user)))
    return Principal(
        user_id=user.id,
        role=Role(user.role),
        station_ids=stations,
        volunteer_id=user.volunteer_id,
        interface=interface,
    )


def form_token(secret: str, session_token: str) -> str:
    """The anti-forgery token of a browser session: what its pages put in every form and
    every script's request, and what another site cannot know (it cannot read the cookie)."""
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def form_token_matches(secret: str, session_token: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(form_token(secret, session_token), given)


def revoke(session: Session, token: str) -> None:
    row = repository.token_by_hash(session, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def revoke_all(session: Session, user_id: int) -> None:
    for row in repository.active_tokens(session, user_id):
        row.revoked_at = utcnow()
        session.add(row)


def _may_log_in(user: User) -> bool:
    return user.active and user.archived_at is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _id(user: User) -> int:
    if user.id is None:
        raise ValueError("the user has not been saved yet")
    return user.id
