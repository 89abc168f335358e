"""A station's day as it is answered (its tasks and who is free), and closures and menus as
records."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Field

from dispatch.crud.schemas import RecordPublic, RecordUpdate
from models.day import ClosureBase, MenuBase, TaskBase
from models.enums import TravelMode
from models.validation import LocalTime


class ClosureCreate(ClosureBase):
    station_id: int


class ClosureUpdate(RecordUpdate):
    date_from: date | None = None
    date_to: date | None = None
    reason: str | None = Field(default=None, max_length=200)


class ClosurePublic(ClosureBase, RecordPublic):
    station_id: int


class MenuCreate(MenuBase):
    pass


class MenuUpdate(RecordUpdate):
    dish: str | None = Field(default=None, max_length=200)
    allergens: list[str] | None = None


class MenuPublic(MenuBase, RecordPublic):
    station_id: int


class TaskPublic(TaskBase, RecordPublic):
    station_id: int


class Shift(BaseModel):
    start: LocalTime
    end: LocalTime


class AvailableVolunteer(BaseModel):
    """A volunteer free on the day, with the shift the planner may use."""

    volunteer_id: int
    name: str
    shift: Shift
    travel_mode: TravelMode
    capacity_meals: int
    skills: list[str]
    max_hours: float
    max_stops: int
    located: bool  # without a home position the planner starts them at the station


class GoneTask(BaseModel):
    """A task of the day that the files no longer make due."""

    task_id: int
    client_name: str
    reason: str  # why not due (as the rules say it: "client paused: 住院")
    planned: bool  # still on the day's plan


class DayDrift(BaseModel):
    """How the day's tasks differ from the files since they were generated."""

    gone: list[GoneTask] = []
    new: int = 0  # services due with no task yet


class DayWork(BaseModel):
    """A station's day: whether it works, its tasks and who is free."""

    station_id: int
    service_date: date
    open: bool
    closed_reason: str = ""
    schedule_weekday: int | None  # the weekday whose schedules run (make-up workdays differ)
    tasks: list[TaskPublic]
    volunteers: list[AvailableVolunteer]
    created: int = 0  # what the last generation changed
    updated: int = 0
    cancelled: int = 0
    kept: int = 0  # planned or done tasks no longer due: kept, with the reason, for review
