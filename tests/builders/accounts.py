"""Accounts for each role, with a bearer token made through the auth service."""

import re
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import httpx
from sqlmodel import Session

from dispatch.auth import service as auth_service
from models import Station, User, UserStation, Volunteer
from models.enums import Role, TokenKind
from tests.builders.records import ident, save

_serial = count(1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_user(
    session: Session,
    *,
    role: Role,
    stations: tuple[Station, ...] = (),
    volunteer: Volunteer | None = None,
    username: str | None = None,
    password: str = PASSWORD,
) -> User:
    user = save(
        session,
        User(
            username=username or f"{role}{next(_serial)}",
            display_name=f"测试{role}",
            role=role,
            volunteer_id=volunteer.id if volunteer else None,
            password_hash=auth_service.hash_password(password),
        ),
    )
    for station in stations:
        session.add(UserStation(user_id=ident(user), station_id=ident(station)))
    session.commit()
    return user


def create_account(
    session: Session,
    *,
    role: Role,
    stations: tuple[Station, ...] = (),
    volunteer: Volunteer | None = None,
) -> Account:
    user = create_user(session, role=role, stations=stations, volunteer=volunteer)
    token, _row = auth_service.issue_token(session, user, TokenKind.API, timedelta(hours=1))
    session.commit()
    return Account(user=user, token=token)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log in on the login page as a browser does, and send the pages' anti-forgery token
    with every later change, as the pages' forms and scripts do."""
    form = {"username": username, "password": password, "csrf_token": form_token_of(client)}
    answer = client.post("/login", data=form)
    client.headers["X-CSRF-Token"] = form_token_of(client)
    return answer


def browser(url: str, username: str) -> httpx.Client:
    """A browser of the server at `url`, logged in as `username`."""
    client = httpx.Client(base_url=url, timeout=30)
    sign_in(client, username)
    return client


def form_token_of(client: httpx.Client) -> str:
    """The token a page of the signed-in browser carries in its csrf-token meta tag."""
    page = client.get("/login").text
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', page)
    assert found is not None, "the page has no csrf-token meta tag"
    return found.group(1)
