"""The day's work: tasks derived from the schedules, and the days a station is closed."""

from datetime import date
from typing import Self

from pydantic import model_validator
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase
from models.enums import Diet, ServiceKind, TaskStatus
from models.validation import LocalTime, Refusal

# --- Closures: the station's own closing days, on top of the public holidays it observes ---


class ClosureBase(SQLModel):
    date_from: date
    date_to: date
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.date_to < self.date_from:
            raise Refusal("the closure ends on %(end)s, before it starts", end=str(self.date_to))
        return self


class StationClosure(ClosureBase, TableBase, table=True):
    __tablename__ = "station_closure"

    station_id: int = Field(foreign_key="station.id", index=True)


# --- Menus: what a kitchen cooks for each diet on a day, and what it contains --------------


class MenuBase(SQLModel):
    site_id: int = Field(foreign_key="site.id", index=True)
    service_date: date = Field(index=True)
    diet: Diet = Field(sa_type=EnumText(Diet, 20))
    dish: str = Field(max_length=200)
    allergens: list[str] = Field(default_factory=list, sa_type=JSON)


class Menu(MenuBase, TableBase, table=True):
    __table_args__ = (UniqueConstraint("site_id", "service_date", "diet"),)

    station_id: int = Field(foreign_key="station.id", index=True)


# --- Tasks: one delivery or visit due on one day, from one schedule ------------------------


class TaskBase(SQLModel):
    service_date: date = Field(index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    # What the task comes from: a schedule, or the invitation of an escort.
    schedule_id: int | None = Field(default=None, foreign_key="service_schedule.id", index=True)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", index=True)
    kind: ServiceKind = Field(sa_type=EnumText(ServiceKind, 20))
    # Where the goods are collected; for an escort, where the activity is held.
    site_id: int | None = Field(default=None, foreign_key="site.id")
    quantity: int = Field(default=1, ge=0)
    # The window at the door: the schedule's, else the client's preferred one, else any time.
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    service_minutes: int = Field(default=5, ge=1)
    max_ride_minutes: int | None = None
    required_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    priority: int = Field(default=3, ge=1, le=5)
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=EnumText(TaskStatus, 20))
    status_reason: str = Field(default="", max_length=200)


# A planned or done task that the files no longer make due keeps its status, its reason
# starting so: a new plan of the day leaves it out.
NO_LONGER_DUE = "no longer due: "


class Task(TaskBase, TableBase, table=True):
    __table_args__ = (
        UniqueConstraint("schedule_id", "service_date"),
        UniqueConstraint("invitation_id", "kind", "service_date"),
    )

    station_id: int = Field(foreign_key="station.id", index=True)


# --- What a day looks like to the coordinator ----------------------------------------------


# --- Kitchen and pharmacy sheets, meal labels --------------------------------------------
