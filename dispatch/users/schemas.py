"""What accounts take and answer over HTTP."""

from datetime import datetime
from typing import Self

from pydantic import model_validator
from sqlmodel import Field

from dispatch.crud.schemas import RecordPublic, RecordUpdate
from models.enums import Role
from models.user import UserBase
from models.validation import Name, Refusal


class UserCreate(UserBase):
    password: str = Field(min_length=10, max_length=200)
    station_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _role_links(self) -> Self:
        if self.role is Role.VOLUNTEER and self.volunteer_id is None:
            raise Refusal("a volunteer account must be linked to a volunteer record")
        if self.role is not Role.VOLUNTEER and self.volunteer_id is not None:
            raise Refusal(
                "a %(role)s account is not linked to a volunteer record", role=self.role.value
            )
        if self.role in (Role.COORDINATOR, Role.MANAGER) and not self.station_ids:
            raise Refusal("a %(role)s belongs to at least one station", role=self.role.value)
        return self


class UserUpdate(RecordUpdate):
    display_name: Name | None = Field(default=None, max_length=60)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    station_ids: list[int] | None = None
    active: bool | None = None


class UserPublic(UserBase, RecordPublic):
    station_ids: list[int]
    last_login_at: datetime | None
