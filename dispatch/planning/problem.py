"""From a station's day in the database to a `routing.Problem`, and back.

The only place that knows both the tables and the planner's types: tasks become jobs, free
volunteers become the planner's volunteers, and every place gets an index in the matrices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from sqlmodel import Session

from dispatch.days.rules import escort_times
from dispatch.days.schemas import AvailableVolunteer
from dispatch.volunteers.repository import members_by_team, volunteers_of_clients
from models import Activity, Client, Invitation, Site, Station, Task, Volunteer
from models.enums import ESCORTS, ServiceKind, StopKind, TravelMode
from routing import (
    Job,
    JobKind,
    Location,
    MatrixProvider,
    Problem,
    Step,
    Stop,
    TimeWindow,
    Weights,
)
from routing import StopKind as RoutingStopKind
from routing import Volunteer as Worker

_DAY = TimeWindow(0, 24 * 3600 - 1)
_KIND = {
    ServiceKind.MEAL: JobKind.DELIVERY,
    ServiceKind.MEDICINE: JobKind.PICKUP_DELIVERY,
    ServiceKind.VISIT: JobKind.VISIT,
    ServiceKind.ESCORT_THERE: JobKind.PICKUP_DELIVERY,
    ServiceKind.ESCORT_BACK: JobKind.PICKUP_DELIVERY,
}
_RIDDEN = {TravelMode.BICYCLE, TravelMode.EBIKE}


@dataclass
class DayProblem:
    """The planner's problem for one day, with the way back to the rows."""

    problem: Problem
    task_of: dict[str, int]  # job id -> task id
    volunteer_of: dict[str, int]  # planner volunteer id -> volunteer id
    skipped: dict[int, str] = field(default_factory=dict)  # task id -> why it is not a job
    # Escorts to an activity: the planner collects the client at their door and drops them at
    # the venue, so its pickup is the plan's door and its door the plan's venue stop.
    home_first: set[str] = field(default_factory=set)

    def step(self, task_id: int, kind: StopKind) -> Step:
        """The planner's step for a stop of the plan."""
        name = job_id(task_id)
        return Step(name, RoutingStopKind(str(_flip(kind) if name in self.home_first else kind)))

    def stop_kind(self, job: str, kind: RoutingStopKind) -> StopKind:
        """The plan's kind of stop for a step of the planner."""
        ours = StopKind(str(kind))
        return _flip(ours) if job in self.home_first else ours


def _flip(kind: StopKind) -> StopKind:
    return StopKind.PICKUP if kind is StopKind.DOOR else StopKind.DOOR


def job_id(task_id: int) -> str:
    return f"t{task_id}"


def worker_id(volunteer_id: int) -> str:
    return f"v{volunteer_id}"


def volunteer_id(worker: str) -> int:
    """The volunteer a planner's volunteer id stands for (worker_id's inverse)."""
    return int(worker.removeprefix("v"))


def seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def build_problem(
    session: Session,
    station: Station,
    day: date,
    tasks: Sequence[Task],
    free: Sequence[AvailableVolunteer],
    provider: MatrixProvider,
    pins: Mapping[int, int] | None = None,
    weights: Weights | None = None,
) -> DayProblem:
    """The day's open tasks and free volunteers as a planning problem.

    `pins` maps a task id to the volunteer it must go to. A task whose client or site has no
    position cannot be a job: it is listed in `skipped` with the reason.
    """
    places = _Places()
    assert station.id is not None
    base = places.index("station", station.id, station.lat, station.lon)
    volunteers, volunteer_of = _workers(session, free, places, base)
    task_of: dict[str, int] = {}
    skipped: dict[int, str] = {}
    hot_meal = station.hot_meal_minutes * 60
    teams = members_by_team(session, [v.volunteer_id for v in free])
    # Someone who cannot go alone is walked or driven, not taken along on a bicycle.
    riders = {v.volunteer_id for v in free if v.travel_mode in _RIDDEN}
    jobs = _jobs(
        session,
        tasks,
        places,
        day.weekday(),
        pins or {},
        hot_meal,
        task_of,
        skipped,
        teams,
        riders,
    )
    home_first = {job_id(t.id) for t in tasks if t.kind is ServiceKind.ESCORT_THERE and t.id}
    profiles = sorted({v.profile for v in volunteers}) or [TravelMode.WALK.value]
    matrices = {profile: provider.matrix(places.locations, profile) for profile in profiles}
    problem = Problem(
        len(places.locations),
        matrices,
        tuple(volunteers),
        tuple(jobs),
        weights=weights or Weights(),
    )
    return DayProblem(problem, task_of, volunteer_of, skipped, home_first)


class _Places:
    """Every place of the day once, in the order the matrices index them."""

    def __init__(self) -> None:
        self.locations: list[Location] = []
        self._index: dict[tuple[str, int], int] = {}

    def index(self, kind: str, row_id: int, lat: float | None, lon: float | None) -> int | None:
        """The place's index; None when it has no position."""
        if lat is None or lon is None:
            return None
        key = (kind, row_id)
        if key not in self._index:
            self._index[key] = len(self.locations)
            self.locations.append(Location(lat, lon))
        return self._index[key]


def _workers(
    session: Session, free: Sequence[AvailableVolunteer], places: _Places, base: int | None
) -> tuple[list[Worker], dict[str, int]]:
    """The free volunteers as the planner's, starting from home (else the station)."""
    volunteers: list[Worker] = []
    volunteer_of: dict[str, int] = {}
    for offer in free:
        row = session.get(Volunteer, offer.volunteer_id)
        assert row is not None
        home = places.index("volunteer", offer.volunteer_id, row.lat, row.lon)
        start = home if home is not None else base
        if start is None:
            continue  # neither a home nor a station position: nowhere to start from
        name = worker_id(offer.volunteer_id)
        volunteer_of[name] = offer.volunteer_id
        volunteers.append(
            Worker(
                name,
                start,
                TimeWindow(seconds(offer.shift.start), seconds(offer.shift.end)),
                profile=TravelMode(offer.travel_mode).value,
                capacity=offer.capacity_meals,
                skills=frozenset(offer.skills),
                max_stops=offer.max_stops,
                max_work=round(offer.max_hours * 3600),
            )
        )
    return volunteers, volunteer_of


def _jobs(
    session: Session,
    tasks: Sequence[Task],
    places: _Places,
    weekday: int,
    pins: Mapping[int, int],
    hot_meal: int,
    task_of: dict[str, int],
    skipped: dict[int, str],
    teams: Mapping[int, set[int]],
    riders: set[int],
) -> list[Job]:
    """The tasks as the planner's jobs (`task_of` maps each back); a task without a position
    goes to `skipped` with the reason."""
    jobs: list[Job] = []
    # A client who volunteers is never sent to their own door.
    themselves = volunteers_of_clients(session, {task.client_id for task in tasks})
    for task in tasks:
        assert task.id is not None
        client = session.get(Client, task.client_id)
        assert client is not None
        forbidden = set(client.excluded_volunteer_ids)
        if task.client_id in themselves:
            forbidden.add(themselves[task.client_id])
        door = places.index("client", task.client_id, client.lat, client.lon)
        if door is None:
            skipped[task.id] = "the client has no position on the map"
            continue
        home = Stop(door, (_window(task.window_start, task.window_end),), task.service_minutes * 60)
        pickup: Stop | None = None
        if task.kind in ESCORTS:
            forbidden |= riders
            venue = _venue(session, task, places)
            if venue is None:
                skipped[task.id] = "the activity's venue has no position on the map"
                continue
            # There: fetched at home, dropped at the venue; back: the other way round.
            pickup, home = (home, venue) if task.kind is ServiceKind.ESCORT_THERE else (venue, home)
        elif task.site_id is not None and task.kind is not ServiceKind.VISIT:
            pickup = _collect(session, task.site_id, places, weekday)
            if pickup is None:
                skipped[task.id] = "the pickup site has no position on the map"
                continue
        name = job_id(task.id)
        task_of[name] = task.id
        pinned = pins.get(task.id)
        jobs.append(
            Job(
                name,
                home,
                kind=_KIND[task.kind] if pickup is not None else JobKind.VISIT,
                pickup=pickup,
                demand=task.quantity if pickup is not None and task.kind not in ESCORTS else 0,
                skills=frozenset(task.required_skills),
                priority=task.priority,
                max_ride=_max_ride(task, hot_meal) if pickup is not None else None,
                preferred=tuple(worker_id(v) for v in client.preferred_volunteer_ids),
                team=frozenset(worker_id(v) for v in teams.get(client.team_id or 0, ())),
                forbidden=frozenset(worker_id(v) for v in forbidden),
                pinned_to=None if pinned is None else worker_id(pinned),
            )
        )
    return jobs


def _collect(session: Session, site_id: int, places: _Places, weekday: int) -> Stop | None:
    """Collecting at a kitchen or pharmacy, while it is open; None if it has no position."""
    site = session.get(Site, site_id)
    assert site is not None
    at = places.index("site", site_id, site.lat, site.lon)
    if at is None:
        return None
    hours = [_window(h.opens, h.closes) for h in site.opening_hours if h.weekday == weekday]
    return Stop(at, tuple(hours) or (_DAY,), 300)


def _venue(session: Session, task: Task, places: _Places) -> Stop | None:
    """An escort's stop at the activity: arriving before it starts, or fetching after it."""
    invitation = session.get(Invitation, task.invitation_id)
    assert invitation is not None
    activity = session.get(Activity, invitation.activity_id)
    assert activity is not None
    site = session.get(Site, activity.site_id)
    assert site is not None
    at = places.index("site", activity.site_id, site.lat, site.lon)
    if at is None:
        return None
    start, end = escort_times(task.kind, activity).venue
    return Stop(at, (_window(start, end),), 60)


def _max_ride(task: Task, hot_meal: int) -> int | None:
    """Seconds from pickup to door at most: the task's own limit, and for a meal the
    station's hot-meal limit too (medicine is exempt from that)."""
    own = None if task.max_ride_minutes is None else task.max_ride_minutes * 60
    if task.kind is not ServiceKind.MEAL:
        return own
    return hot_meal if own is None else min(own, hot_meal)


def _window(start: time | None, end: time | None) -> TimeWindow:
    return TimeWindow(
        _DAY.start if start is None else seconds(start),
        _DAY.end if end is None else seconds(end),
    )
