"""Plans of a day: planning jobs, and the routes and stops they produce."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from models.common import EnumText, TableBase, UtcDateTime
from models.enums import JobStatus, PlanStatus, StopKind


class PlanningJob(TableBase, table=True):
    """One run of the planner for a station's day, in a process of its own."""

    __tablename__ = "planning_job"

    station_id: int = Field(foreign_key="station.id", index=True)
    service_date: date = Field(index=True)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=EnumText(JobStatus, 20))
    time_limit_seconds: float  # as asked: see dispatch.planning.schemas
    requested_by: int | None = Field(default=None, foreign_key="user.id")
    worker_pid: int | None = None  # the planner's process while it runs
    # Who watches the job ("host:pid" of the server) and when it last said the job was alive:
    # a job whose watcher is gone is found and failed instead of staying "running" for ever.
    watcher: str = Field(default="", max_length=100)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Live progress: the latest improvement the planner reported.
    elapsed_seconds: float = 0.0
    best_cost: int | None = None
    planned_stops: int | None = None
    error: str = Field(default="", max_length=2000)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")  # the draft it made
    # A re-plan someone waits for (a volunteer off sick, a swap, a second plan of the day)
    # goes to the planning queue's urgent lane, ahead of the morning's first plans.
    urgent: bool = False
    # Asked to stop by a server that does not run it: its watcher stops it at the next
    # heartbeat.
    cancel_requested: bool = False
    # How often a worker began it: a job whose worker died is begun once more, not again.
    attempts: int = 0
    # A released day handed over: this volunteer's route goes to that one as it is.
    hand_over_from: int | None = Field(default=None, foreign_key="volunteer.id")
    hand_over_to: int | None = Field(default=None, foreign_key="volunteer.id")


class Plan(TableBase, table=True):
    """The routes of a station's day. Drafts are edited; a published plan is what volunteers
    follow, and changing it publishes a new version."""

    __table_args__ = (UniqueConstraint("station_id", "service_date", "version"),)

    station_id: int = Field(foreign_key="station.id", index=True)
    service_date: date = Field(index=True)
    version: int = Field(default=1, ge=1)
    status: PlanStatus = Field(default=PlanStatus.DRAFT, sa_type=EnumText(PlanStatus, 20))
    revision: int = Field(default=1, ge=1)  # bumped by every edit: optimistic concurrency
    based_on_id: int | None = Field(default=None, foreign_key="plan.id")
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    cost: int = 0
    distance_m: int = 0
    travel_seconds: int = 0
    solve_seconds: float = 0.0
    planned_stops: int = 0
    unplanned_stops: int = 0
    moved_stops: int = 0  # re-planned: tasks now with another volunteer than in `based_on`
    inserted_stops: int = 0  # tasks the search left out that the certificate pass placed


class PlanRoute(TableBase, table=True):
    __tablename__ = "plan_route"

    plan_id: int = Field(foreign_key="plan.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    locked: bool = False  # re-planning keeps this route as it is
    depart_seconds: int = 0  # seconds after midnight, station time
    arrive_seconds: int = 0
    distance_m: int = 0
    travel_seconds: int = 0
    # Published as a new version: the route differs from the one the volunteer last saw.
    needs_recheck: bool = False


class PlanStop(TableBase, table=True):
    """A task's pickup or door on a route, or (no route) a task the plan could not hold."""

    __tablename__ = "plan_stop"

    plan_id: int = Field(foreign_key="plan.id", index=True)
    route_id: int | None = Field(default=None, foreign_key="plan_route.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    kind: StopKind = Field(default=StopKind.DOOR, sa_type=EnumText(StopKind, 10))
    position: int = 0
    arrival_seconds: int | None = None
    start_seconds: int | None = None
    departure_seconds: int | None = None
    pinned_volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id")
    reason: str = Field(default="", max_length=40)  # unplanned: the planner's reason code
    explanation: str = Field(default="", max_length=500)  # and its sentence
    # What the sentence names (a volunteer, the skills, the window), to say it to people in
    # their language: {"volunteer_id": 3, "volunteer": "余丽娟"}, {"window": "11:00–12:30"}.
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
