"""Group activities: a gathering or a health talk at a place and time, with invited clients,
who may need someone to go with them, and whether each came."""

from datetime import date, datetime
from typing import Self

from pydantic import model_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase, UtcDateTime
from models.enums import ActivityKind
from models.validation import LocalTime, Name, check_window


class ActivityBase(SQLModel):
    title: Name = Field(max_length=120)
    kind: ActivityKind = Field(default=ActivityKind.GATHERING, sa_type=EnumText(ActivityKind, 20))
    service_date: date = Field(index=True)
    start_time: LocalTime
    end_time: LocalTime
    site_id: int = Field(foreign_key="site.id")  # where it is held
    notes: str = Field(default="", max_length=1000)
    external_id: str | None = Field(default=None, max_length=64, index=True)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        check_window(self.start_time, self.end_time, "activity")
        return self


class Activity(ActivityBase, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)


class InvitationBase(SQLModel):
    activity_id: int = Field(foreign_key="activity.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    # Cannot come alone: a volunteer goes with them, from home and back.
    needs_escort: bool = False
    # Whether they came; None until the attendance is taken.
    attended: bool | None = None
    attendance_noted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    notes: str = Field(default="", max_length=300)


class Invitation(InvitationBase, TableBase, table=True):
    __table_args__ = (UniqueConstraint("activity_id", "client_id"),)

    station_id: int = Field(foreign_key="station.id", index=True)
