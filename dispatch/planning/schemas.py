"""What planning takes and answers over HTTP, and how long the planner may search."""

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from dispatch.crud.schemas import RecordPublic
from models.enums import Diet, JobStatus, PlanStatus, ServiceKind, StopKind

# Seconds the planner searches a day when nobody says otherwise: the coordinator waits for it.
PLAN_TIME_LIMIT_SECONDS = 10.0
# Seconds for a re-plan (a volunteer called in sick, a released day): the same wait.
REPLAN_TIME_LIMIT_SECONDS = 10.0
MAX_TIME_LIMIT_SECONDS = 600.0


class PlanningRequest(BaseModel):
    time_limit_seconds: float = Field(
        default=PLAN_TIME_LIMIT_SECONDS, gt=0, le=MAX_TIME_LIMIT_SECONDS
    )


class RouteCount(BaseModel):
    volunteer_name: str
    pickup: str  # when the volunteer collects, HH:MM
    counts: dict[str, int]  # per diet (meals) or "medicine"


class SiteSheet(BaseModel):
    site_id: int
    site_name: str
    kind: str
    counts: dict[str, int]
    routes: list[RouteCount]


class MealLabel(BaseModel):
    client_name: str
    volunteer_name: str
    stop_number: int
    pickup: str  # when the route collects it, HH:MM
    diet: Diet
    dish: str
    allergies: list[str]
    clash: list[str]  # the client's allergies the dish contains: never hand it over


class DaySheets(BaseModel):
    plan_id: int
    station_id: int
    service_date: date
    sites: list[SiteSheet]
    labels: list[MealLabel]


class PlanningJobPublic(RecordPublic):
    station_id: int
    service_date: date
    status: JobStatus
    time_limit_seconds: float
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_seconds: float
    best_cost: int | None
    planned_stops: int | None
    error: str
    plan_id: int | None
    urgent: bool  # in the planning queue's urgent lane
    cancel_requested: bool  # asked to stop; it stops at its watcher's next heartbeat
    attempts: int  # how often a queue worker began it (0 without a queue)


class StopPublic(SQLModel):
    id: int
    task_id: int
    client_id: int
    client_name: str
    kind: StopKind
    service: ServiceKind  # what the task is: a meal, medicine, a visit, an escort
    place: str  # the client's address, or the pickup site's (or activity venue's) name
    lat: float | None
    lon: float | None
    position: int
    arrival: str | None
    start: str | None
    departure: str | None
    pinned: bool
    reason: str
    explanation: str
    # What the explanation names: "volunteer_id" and "volunteer" (a name), "skills",
    # "window", "demand", "capacity", "minutes", "closes", "opens".
    details: dict[str, str | int] = {}
    outcome: str | None = None  # what the volunteer (or a paper sheet) recorded last
    outcome_on_paper: bool = False
    regular: bool = False  # a door brought by one of the client's preferred volunteers


class RoutePublic(SQLModel):
    id: int
    volunteer_id: int
    volunteer_name: str
    locked: bool
    needs_recheck: bool
    depart: str
    arrive: str
    distance_m: int
    travel_seconds: int
    stops: list[StopPublic]


class PlanPublic(SQLModel):
    id: int
    station_id: int
    service_date: date
    version: int
    status: PlanStatus
    revision: int
    based_on_id: int | None
    published_at: datetime | None
    cost: int
    distance_m: int
    travel_seconds: int
    solve_seconds: float
    planned_stops: int
    unplanned_stops: int
    moved_stops: int
    inserted_stops: int
    # Continuity: the day's clients with preferred volunteers, and how many of them one of
    # those volunteers serves (a client left out is one without their regular).
    with_regular: int = 0
    by_regular: int = 0
    routes: list[RoutePublic]
    unplanned: list[StopPublic]


class Edit(BaseModel):
    revision: int  # the plan's revision the edit was made on


class LockRoute(Edit):
    locked: bool = True


class PinStop(Edit):
    volunteer_id: int | None  # None: unpin


class MoveStop(Edit):
    volunteer_id: int
    position: int | None = None  # among the route's doors, 0 first; None: last


class EditWarning(BaseModel):
    kind: str  # the checker's violation kind: time_window, capacity, not_allowed, ...
    message: str


class MoveOutcome(BaseModel):
    """What a move did: the client's new time at the door, and what the route now breaks."""

    eta_before: str | None  # HH:MM; None if the task was not planned
    eta_after: str | None
    warnings: list[EditWarning]


class MoveResult(MoveOutcome):
    plan: PlanPublic
