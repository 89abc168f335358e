"""What service schedules take and answer over HTTP."""

from datetime import date

from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.enums import Recurrence, ServiceKind
from models.schedule import Hold, ScheduleBase
from models.validation import LocalTime


class ScheduleCreate(ScheduleBase):
    client_id: int


class ScheduleUpdate(RecordUpdate):
    external_id: str | None = Field(default=None, max_length=64)
    kind: ServiceKind | None = None
    site_id: int | None = None
    quantity: int | None = Field(default=None, ge=0, le=50)
    recurrence: Recurrence | None = None
    weekdays: list[int] | None = None
    interval_weeks: int | None = Field(default=None, ge=1, le=8)
    start_date: date | None = None
    end_date: date | None = None
    skip_dates: list[date] | None = None
    holds: list[Hold] | None = None
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    service_minutes: int | None = Field(default=None, ge=1, le=240)
    max_ride_minutes: int | None = Field(default=None, ge=5, le=240)
    required_skills: list[str] | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    notes: str | None = Field(default=None, max_length=1000)


class SchedulePublic(ScheduleBase, RecordPublic):
    station_id: int
    client_id: int


class ScheduleFilters(ListQuery):
    client_id: int | None = None
    site_id: int | None = None
    kind: ServiceKind | None = None
    recurrence: Recurrence | None = None
