"""Accounts, the stations they work for, and their login tokens."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase, UtcDateTime, utcnow
from models.enums import Role, TokenKind
from models.validation import Name, Username


class UserStation(SQLModel, table=True):
    __tablename__ = "user_station"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    station_id: int = Field(foreign_key="station.id", primary_key=True)


class UserBase(SQLModel):
    username: Username = Field(min_length=3, max_length=40, unique=True, index=True)
    display_name: Name = Field(max_length=60)
    role: Role = Field(sa_type=EnumText(Role, 20))
    volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id", unique=True)
    active: bool = True


class User(UserBase, TableBase, table=True):
    password_hash: str | None = Field(default=None, max_length=200)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuthToken(SQLModel, table=True):
    """A login: only the token's SHA-256 is stored, so a database leak logs nobody in."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    kind: TokenKind = Field(sa_type=EnumText(TokenKind, 10))
    name: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuthEpoch(SQLModel, table=True):
    """A number that moves whenever what a token stands for changes (a logout, an account
    changed or disabled, a volunteer moved to another station): every server process
    watches it and forgets whom its tokens stood for when it moves. One row."""

    __tablename__ = "auth_epoch"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: int = 0
