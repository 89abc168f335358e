"""Accounts for each role, with a bearer token made through the auth service."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import count

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
