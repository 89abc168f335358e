"""Benchmark the coordinator's day on the demo station: plan it, then re-plan without one
volunteer, through the same services and planning jobs the web application uses.

    python scripts/bench_planning.py --json OUT [--date 2026-11-24] [--time-limit 10]

Reports the stops and volunteers of the day, the planner's time, unplanned stops (and any
without a reason), and after taking the busiest volunteer off sick and re-planning: how many
of everybody else's stops moved to another volunteer (%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select

from dispatch import migrate
from dispatch.access import system_principal
from dispatch.container import build_services
from dispatch.db import make_engine
from dispatch.planning.schemas import (
    PLAN_TIME_LIMIT_SECONDS,
    REPLAN_TIME_LIMIT_SECONDS,
    Edit,
    PlanningRequest,
    PlanPublic,
)
from models import PlanningJob, Station
from models.enums import JobStatus
from routing.matrix.roads import RoadNetwork
from scripts.bench_report import write_reports
from scripts.demo_station import MAP_FILE, STATION_CODE, load_demo_station


def run(day: date, time_limit: float, workdir: Path) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    migrate.upgrade(engine)
    services = build_services(None, RoadNetwork(MAP_FILE, cache_dir=workdir / "roads"))
    who = system_principal("benchmark")
    with Session(engine, expire_on_commit=False) as session:
        load_demo_station(session, services)
        session.commit()
        station_id = _demo_station_id(session)
        services.days.generate(session, who, station_id, day)
        session.commit()
        request = PlanningRequest(time_limit_seconds=time_limit)
        first = _finish(session, services.planning.start(session, who, station_id, day, request))
        assert first.plan_id is not None, first.error
        plan = services.planning.plan(session, who, first.plan_id)
        busiest = max(plan.routes, key=lambda route: len(route.stops))
        services.plan_edits.volunteer_off(
            session, who, plan.id, busiest.volunteer_id, Edit(revision=plan.revision)
        )
        session.commit()
        again = PlanningRequest(time_limit_seconds=REPLAN_TIME_LIMIT_SECONDS)
        second = _finish(session, services.planning.start(session, who, station_id, day, again))
        assert second.plan_id is not None, second.error
        replanned = services.planning.plan(session, who, second.plan_id)
        free = len(services.days.get(session, who, station_id, day).volunteers) + 1
        job_seconds = first.elapsed_seconds
    others = _owners(plan, exclude=busiest.volunteer_id)
    after = _owners(replanned)
    moved = sum(1 for task, volunteer in others.items() if after.get(task) != volunteer)
    return {
        "date": day.isoformat(),
        "stops": plan.planned_stops + plan.unplanned_stops,
        "volunteers": free,  # before one was taken off
        "routes": len(plan.routes),
        "solve_seconds": plan.solve_seconds,
        "job_seconds": job_seconds,
        "unplanned": plan.unplanned_stops,
        "unplanned_without_reason": sum(1 for s in plan.unplanned if not s.reason),
        "unplanned_reasons": sorted({s.reason for s in plan.unplanned}),
        "distance_km": round(plan.distance_m / 1000, 1),
        "travel_hours": round(plan.travel_seconds / 3600, 1),
        "replan_removed_volunteer_stops": len({s.task_id for s in busiest.stops}),
        "replan_moved_other": moved,
        "replan_moved_other_pct": round(100 * moved / max(1, len(others)), 1),
        "replan_unplanned": replanned.unplanned_stops,
        "replan_solve_seconds": replanned.solve_seconds,
    }


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
        "# The coordinator's day on the demo station",
        "",
        f"Reproduce: `{command}`",
        "",
        "The demo station (新街口, Nanjing) on the streets of its OpenStreetMap extract: the "
        "day generated from its schedules, planned by a planning job, then re-planned after "
        "the busiest volunteer is taken off sick.",
        "",
        "| date | stops | volunteers | routes | solve s | unplanned | without reason | "
        "travel h | moved others % | re-plan unplanned |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['date']} | {r['stops']} | {r['volunteers']} | {r['routes']} | "
            f"{r['solve_seconds']} | {r['unplanned']} | {r['unplanned_without_reason']} | "
            f"{r['travel_hours']} | {r['replan_moved_other_pct']} | {r['replan_unplanned']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--time-limit", type=float, default=PLAN_TIME_LIMIT_SECONDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        row = run(args.date, args.time_limit, Path(workdir))
    print(row)
    write_reports(args.json, [row], "bench_planning.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
