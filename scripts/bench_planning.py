"""Benchmark the coordinator's mornings on the demo station: plan each day, then re-plan it
without one volunteer, through the same services and planning jobs the web application uses.

    python scripts/bench_planning.py --json OUT [--days 2026-11-23..2026-12-04 | --date D]
                                     [--time-limit 10] [--cores 2]

One row per weekday: the tasks and how many were planned (a meal's pickup and its door count
as one task), why the others were not, what the certificate pass placed, the job's wall time
from start to plan stored, the longest a meal is carried, the demo volunteer login's stops;
and after taking the busiest volunteer off sick and re-planning: how many of everybody
else's stops moved to another volunteer (%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, col, select

from dispatch import migrate
from dispatch.access import Principal, system_principal
from dispatch.config import two_cores_at_most
from dispatch.container import Services, build_services
from dispatch.db import make_engine
from dispatch.planning.schemas import (
    PLAN_TIME_LIMIT_SECONDS,
    REPLAN_TIME_LIMIT_SECONDS,
    Edit,
    MoveStop,
    PlanningRequest,
    PlanPublic,
)
from dispatch.planning.service import regulars_off
from models import PlanningJob, Station, Task, User
from models.enums import JobStatus, ServiceKind, StopKind
from routing.matrix.roads import RoadNetwork
from scripts.bench_report import write_reports
from scripts.demo_station import MAP_FILE, STATION_CODE, load_demo_station

DEMO_DAYS = (date(2026, 11, 23), date(2026, 12, 4))


def run(days: list[date], time_limit: float, workdir: Path, cores: int) -> list[dict[str, Any]]:
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    migrate.upgrade(engine)
    roads = RoadNetwork(MAP_FILE, cache_dir=workdir / "roads")
    services = build_services(None, roads, planner_cores=cores)
    who = system_principal("benchmark")
    rows = []
    with Session(engine, expire_on_commit=False) as session:
        load_demo_station(session, services)
        session.commit()
        station_id = _demo_station_id(session)
        login = session.exec(select(User).where(User.username == "volunteer")).one()
        for day in days:
            row = _day(session, services, who, station_id, day, time_limit)
            row["planner_cores"] = cores
            row["demo_volunteer_routes"] = _stops_of(row.pop("_plan"), login.volunteer_id)
            print(row, flush=True)
            rows.append(row)
    return rows


def _day(
    session: Session,
    services: Services,
    who: Principal,
    station_id: int,
    day: date,
    time_limit: float,
) -> dict[str, Any]:
    services.days.generate(session, who, station_id, day)
    session.commit()
    free = {v.volunteer_id for v in services.days.get(session, who, station_id, day).volunteers}
    request = PlanningRequest(time_limit_seconds=time_limit)
    first = _finish(session, services.planning.start(session, who, station_id, day, request))
    assert first.plan_id is not None, first.error
    plan = services.planning.plan(session, who, first.plan_id)
    tasks = {stop.task_id for route in plan.routes for stop in route.stops}
    unplanned = {stop.task_id: stop.reason for stop in plan.unplanned}
    busiest = max(plan.routes, key=lambda route: len(route.stops))
    pins = _hand_edits(session, services, who, plan, busiest.volunteer_id)
    edited = services.planning.plan(session, who, plan.id)
    services.plan_edits.volunteer_off(
        session, who, plan.id, busiest.volunteer_id, Edit(revision=edited.revision)
    )
    session.commit()
    again = PlanningRequest(time_limit_seconds=REPLAN_TIME_LIMIT_SECONDS)
    second = _finish(session, services.planning.start(session, who, station_id, day, again))
    assert second.plan_id is not None, second.error
    replanned = services.planning.plan(session, who, second.plan_id)
    others = _owners(edited, exclude=busiest.volunteer_id)
    after = _owners(replanned)
    moved = sum(
        1 for task, volunteer in others.items() if after.get(task) != volunteer and task not in pins
    )
    total = len(tasks | set(unplanned))
    return {
        "date": day.isoformat(),
        "stops": plan.planned_stops + plan.unplanned_stops,
        "tasks": total,
        "planned": len(tasks),
        "planned_pct": round(100 * len(tasks) / max(1, total), 1),
        "unplanned": len(unplanned),
        "unplanned_by_reason": dict(sorted(Counter(unplanned.values()).items())),
        "unplanned_without_reason": sum(1 for reason in unplanned.values() if not reason),
        "certificate_insertions": plan.inserted_stops,
        "volunteers": len(services.days.get(session, who, station_id, day).volunteers),
        "routes": len(plan.routes),
        "clients_with_regular": plan.with_regular,
        "clients_by_regular": plan.by_regular,
        # ... of them, those whose regulars are all off that day: no plan could serve them so.
        "clients_regular_off": regulars_off(session, plan, free),
        "time_limit_seconds": time_limit,
        "solve_seconds": plan.solve_seconds,
        "solve_wall_seconds": _wall(first),
        "max_meal_carry_minutes": _max_carry(plan, _meals(session, tasks)),
        "meal_carry_limit_minutes": session.get(Station, station_id).hot_meal_minutes,  # type: ignore[union-attr]
        "distance_km": round(plan.distance_m / 1000, 1),
        "travel_hours": round(plan.travel_seconds / 3600, 1),
        "replan_removed_volunteer_stops": len({s.task_id for s in busiest.stops}),
        "replan_moved_other": moved,
        "replan_moved_other_pct": round(100 * moved / max(1, len(others) - len(pins)), 1),
        "pins_total": len(pins),
        "pins_kept": sum(1 for task, volunteer in pins.items() if after.get(task) == volunteer),
        "replan_unplanned": replanned.unplanned_stops,
        "replan_solve_wall_seconds": _wall(second),
        "_plan": plan,
    }


def _hand_edits(
    session: Session, services: Services, who: Principal, plan: PlanPublic, sick: int
) -> dict[int, int]:
    """What a coordinator does by hand before a volunteer calls in sick: three stops moved
    to another route (at its front; six different routes), and one unplanned stop given to
    a volunteer, if there is one. Returns the pins made: task -> volunteer."""
    routes = [route for route in plan.routes if route.volunteer_id != sick]
    pins: dict[int, int] = {}
    revision = plan.revision
    for source, target in zip(routes[0:6:2], routes[1:7:2], strict=False):  # apart
        door = next(stop for stop in source.stops if stop.kind is StopKind.DOOR)
        edit = MoveStop(revision=revision, volunteer_id=target.volunteer_id, position=0)
        saved, _outcome = services.plan_edits.move_stop(session, who, plan.id, door.id, edit)
        revision, pins[door.task_id] = saved.revision, target.volunteer_id
    if plan.unplanned and routes:
        stop = plan.unplanned[0]
        edit = MoveStop(revision=revision, volunteer_id=routes[-1].volunteer_id)
        services.plan_edits.move_stop(session, who, plan.id, stop.id, edit)
        pins[stop.task_id] = routes[-1].volunteer_id
    session.commit()
    return pins


def _wall(job: PlanningJob) -> float | None:
    """From the job's start to its plan stored."""
    if job.started_at is None or job.finished_at is None:
        return None
    return round((job.finished_at - job.started_at).total_seconds(), 2)


def _meals(session: Session, task_ids: set[int]) -> set[int]:
    return {
        task.id
        for task in session.exec(select(Task).where(col(Task.id).in_(task_ids)))
        if task.id is not None and task.kind is ServiceKind.MEAL
    }


def _max_carry(plan: PlanPublic, meals: set[int]) -> float:
    """The longest time, in minutes, from a meal's pickup to its door (pinned stops aside)."""
    longest = 0.0
    for route in plan.routes:
        picked: dict[int, str] = {}
        for stop in route.stops:
            if stop.kind is StopKind.PICKUP and stop.start and stop.task_id in meals:
                picked[stop.task_id] = stop.start
            elif stop.task_id in picked and stop.start and not stop.pinned:
                longest = max(longest, _minutes(stop.start) - _minutes(picked[stop.task_id]))
    return longest


def _minutes(clock: str) -> float:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _stops_of(plan: PlanPublic, volunteer_id: int | None) -> int:
    return sum(
        1
        for route in plan.routes
        if route.volunteer_id == volunteer_id
        for stop in route.stops
        if stop.kind is StopKind.DOOR
    )


def _demo_station_id(session: Session) -> int:
    station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
    assert station.id is not None
    return station.id


def _finish(session: Session, job: PlanningJob, seconds: float = 600) -> PlanningJob:
    deadline = time.monotonic() + seconds
    while job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        if time.monotonic() > deadline:
            raise TimeoutError(f"planning job {job.id} did not finish")
        time.sleep(0.2)
        session.rollback()  # a new transaction sees what the job's thread wrote
        session.refresh(job)
    return job


def _owners(plan: PlanPublic, exclude: int | None = None) -> dict[int, int]:
    return {
        stop.task_id: route.volunteer_id
        for route in plan.routes
        if route.volunteer_id != exclude
        for stop in route.stops
    }


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "# The coordinator's mornings on the demo station",
        "",
        f"Reproduce: `{command}`",
        "",
        "The demo station (新街口, Nanjing) on the streets of its OpenStreetMap extract: each "
        "weekday generated from its schedules, planned by a planning job at the default time "
        "limit, then re-planned after the busiest volunteer is taken off sick.",
        "",
        "| date | tasks | planned % | unplanned (why) | inserted by the pass | volunteers | "
        "routes | km | wall s (limit) | longest meal carry min (limit) | demo login's doors | "
        "clients served by their regular (of those whose regular works that day) | "
        "moved others % | pins kept | re-plan unplanned |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        why = ", ".join(f"{k} {n}" for k, n in r["unplanned_by_reason"].items()) or "–"
        lines.append(
            f"| {r['date']} | {r['tasks']} | {r['planned_pct']} | {r['unplanned']} ({why}) | "
            f"{r['certificate_insertions']} | {r['volunteers']} | {r['routes']} | "
            f"{r['distance_km']} | {r['solve_wall_seconds']} ({r['time_limit_seconds']:g}) | "
            f"{r['max_meal_carry_minutes']:g} ({r['meal_carry_limit_minutes']}) | "
            f"{r['demo_volunteer_routes']} | "
            f"{r['clients_by_regular']}/{r['clients_with_regular']} "
            f"({r['clients_by_regular']}/{r['clients_with_regular'] - r['clients_regular_off']}) | "
            f"{r['replan_moved_other_pct']} | "
            f"{r['pins_kept']}/{r['pins_total']} | {r['replan_unplanned']} |"
        )
    cores = sorted({r["planner_cores"] for r in rows})
    lines += [
        "",
        f"In all: {round(sum(r['distance_km'] for r in rows), 1)} km, "
        f"{round(sum(r['travel_hours'] for r in rows), 1)} travel hours; each plan searched "
        f"on {', '.join(map(str, cores))} core(s) (`CAREROUTE_PLANNER_CORES`).",
    ]
    return "\n".join(lines) + "\n"


def _weekdays(text: str) -> list[date]:
    first, _dots, last = text.partition("..")
    start, end = date.fromisoformat(first), date.fromisoformat(last or first)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if day.weekday() < 5]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--date", type=date.fromisoformat, help="one day")
    which.add_argument(
        "--days",
        type=_weekdays,
        default=_weekdays(f"{DEMO_DAYS[0]}..{DEMO_DAYS[1]}"),
        help="FIRST..LAST: the weekdays between them (default: the demo's two weeks)",
    )
    parser.add_argument("--time-limit", type=float, default=PLAN_TIME_LIMIT_SECONDS)
    parser.add_argument(
        "--cores",
        type=int,
        default=two_cores_at_most(),
        help="searches side by side per plan (default: as the server, two at most)",
    )
    args = parser.parse_args(argv)
    days = [args.date] if args.date else args.days
    with tempfile.TemporaryDirectory() as workdir:
        rows = run(days, args.time_limit, Path(workdir), args.cores)
    write_reports(args.json, rows, "bench_planning.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
