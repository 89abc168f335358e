"""What a client receives and when: recurring services and one-off orders."""

from datetime import date
from typing import Self

from pydantic import BaseModel, model_validator
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase, TypedJSON
from models.enums import Recurrence, ServiceKind
from models.validation import LocalTime, Refusal, check_window


class Hold(BaseModel):
    """A period the service is suspended (client away, kitchen closed for the client...)."""

    start: date
    end: date
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise Refusal(
                "the hold ends on %(end)s, before it starts on %(start)s",
                end=str(self.end),
                start=str(self.start),
            )
        return self


class ScheduleBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=64, index=True)
    kind: ServiceKind = Field(sa_type=EnumText(ServiceKind, 20))
    site_id: int | None = Field(default=None, foreign_key="site.id")  # where to pick up
    quantity: int = Field(default=1, ge=0, le=50)  # meals or parcels to carry
    recurrence: Recurrence = Field(sa_type=EnumText(Recurrence, 20))
    weekdays: list[int] = Field(default_factory=list, sa_type=JSON)  # 0 = Monday
    interval_weeks: int = Field(default=1, ge=1, le=8)
    start_date: date
    end_date: date | None = None
    skip_dates: list[date] = Field(default_factory=list, sa_type=TypedJSON(list[date]))
    holds: list[Hold] = Field(default_factory=list, sa_type=TypedJSON(list[Hold]))
    window_start: LocalTime | None = None  # None: the client's preferred window
    window_end: LocalTime | None = None
    service_minutes: int = Field(default=5, ge=1, le=240)
    max_ride_minutes: int | None = Field(default=None, ge=5, le=240)  # hot meals
    required_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    priority: int = Field(default=3, ge=1, le=5)  # 5 = must not be missed
    notes: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_window(self.window_start, self.window_end)
        if self.window_start is not None and self.window_end is not None:
            minutes = (
                self.window_end.hour * 60
                + self.window_end.minute
                - self.window_start.hour * 60
                - self.window_start.minute
            )
            if minutes < self.service_minutes:
                raise Refusal(
                    "the time window lasts %(window)s min, shorter than the %(service)s min "
                    "service at the door",
                    window=minutes,
                    service=self.service_minutes,
                )
        if self.end_date is not None and self.end_date < self.start_date:
            raise Refusal("the schedule ends on %(end)s, before it starts", end=str(self.end_date))
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise Refusal("weekdays are numbered 0 (Monday) to 6 (Sunday)")
        if self.recurrence is Recurrence.WEEKLY and not self.weekdays:
            raise Refusal("a weekly schedule needs at least one weekday")
        if self.recurrence is Recurrence.ONCE:
            if self.weekdays:
                raise Refusal("a one-off order takes a date, not weekdays")
            if self.end_date not in (None, self.start_date):
                raise Refusal("a one-off order happens on its start date only")
        if self.kind is not ServiceKind.VISIT and self.site_id is None:
            raise Refusal(
                "a %(kind)s service needs the site to pick it up from", kind=self.kind.value
            )
        return self


class ServiceSchedule(ScheduleBase, TableBase, table=True):
    __tablename__ = "service_schedule"

    station_id: int = Field(foreign_key="station.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
