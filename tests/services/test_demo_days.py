"""Demo days as the planner makes them (a short time limit): no hot meal rides longer than
the station's limit, and what each volunteer is told about their pickups (phone, paper) and
what the kitchen is told are the plan's own pickups, each at its own time; the time to leave
home comes before them all."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.access import system_principal
from dispatch.container import Services
from dispatch.planning.schemas import PlanningRequest, PlanPublic, StopPublic
from dispatch.planning.sheets import day_sheets
from dispatch.rounds.service import route_view
from models import Plan, PlanRoute, Station, Task
from models.enums import JobStatus, ServiceKind, StopKind
from scripts.bench_planning import _finish
from scripts.demo_station import STATION_CODE, load_demo_station

# Judges plans made within a time limit: run with the machine to itself (scripts/test.py).
pytestmark = pytest.mark.solo

DAYS = [date(2026, 11, 24), date(2026, 11, 26)]  # a Tuesday with medicine, a Thursday


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_a_planned_demo_day_keeps_the_hot_meal_limit_and_tells_every_pickup_as_planned(
    engine: Engine, services: Services, day: date
) -> None:
    who = system_principal("test")
    # A plain session: one that writes would hold SQLite's write lock while it polls the job.
    with Session(engine, expire_on_commit=False) as session:
        load_demo_station(session, services)
        station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
        assert station.id is not None
        services.days.generate(session, who, station.id, day)
        session.commit()
        job = services.planning.start(
            session, who, station.id, day, PlanningRequest(time_limit_seconds=2)
        )
        job = _finish(session, job)
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert job.plan_id is not None
        plan = services.planning.plan(session, who, job.plan_id)

        meals = {
            task.id
            for task in session.exec(select(Task).where(Task.service_date == day))
            if task.kind is ServiceKind.MEAL
        }
        assert meals
        assert _longest_carry(plan, meals) <= station.hot_meal_minutes

        row = session.get(Plan, plan.id)
        assert row is not None
        sheets = day_sheets(session, who, plan.id)
        kitchen_told = Counter(
            (route.volunteer_name, route.pickup, tuple(sorted(route.counts.items())))
            for site in sheets.sites
            for route in site.routes
        )
        phone_told: Counter[tuple[str, str, tuple[tuple[str, int], ...]]] = Counter()
        for route in plan.routes:
            expected = _collections(route.stops)
            stored = session.get(PlanRoute, route.id)
            assert stored is not None
            phone = route_view(session, row, stored)
            # The times told follow from leaving home at the time told: none before it.
            times = [_minutes(stop.start) for stop in route.stops if stop.start is not None]
            assert phone.depart == route.depart
            assert _minutes(route.depart) <= times[0], route.volunteer_name
            assert times == sorted(times)
            assert times[-1] <= _minutes(route.arrive)
            told = [(c.site_name, c.at) for c in phone.collect]
            assert told == expected, route.volunteer_name
            phone_told.update(
                (route.volunteer_name, c.at, tuple(sorted(c.counts.items()))) for c in phone.collect
            )
        assert phone_told == kitchen_told


def _longest_carry(plan: PlanPublic, meals: set[int | None]) -> int:
    """Minutes from a meal's pickup to its door, the longest of the plan (pins aside)."""
    longest = 0
    for route in plan.routes:
        picked: dict[int, str] = {}
        for stop in route.stops:
            if stop.task_id not in meals or stop.start is None:
                continue
            if stop.kind is StopKind.PICKUP:
                picked[stop.task_id] = stop.start
            elif stop.task_id in picked and not stop.pinned:
                longest = max(longest, _minutes(stop.start) - _minutes(picked[stop.task_id]))
    return longest


def _collections(stops: list[StopPublic]) -> list[tuple[str, str | None]]:
    """The plan's own pickups, read from its stops: consecutive pickups at one place are one
    collection, at the time of the first."""
    found: list[tuple[str, str | None]] = []
    previous_pickup = False
    for stop in stops:
        if stop.kind is StopKind.PICKUP and not (previous_pickup and found[-1][0] == stop.place):
            found.append((stop.place, stop.start))
        previous_pickup = stop.kind is StopKind.PICKUP
    return found


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)
