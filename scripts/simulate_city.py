"""A city's morning on the planning queue: S generated stations, each as busy as the demo
station, queue their day's first plan at once; W `careroute worker` processes started here
plan them through Redis. Reports how long the morning took, how long jobs waited, what a
job cost a worker, and so how many workers a city of 160 stations needs to plan its
mornings within 30 minutes.

    python scripts/simulate_city.py --stations 12 --stops-per-station 100 \\
        --celery-workers 2 --json city.json

Stations are made by the demo station's generator (same streets of central Nanjing, its mix
of meals, medicine, time windows, mobility and skills, another seed each), scaled to about
`--stops-per-station` deliveries on the planned day. Without `--database-url` the city lives
in a temporary SQLite file; without `--broker-url` a redis-server is started on a free port.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from dispatch import migrate
from dispatch.access import system_principal
from dispatch.config import Settings
from dispatch.container import build_services
from dispatch.db import for_writing, make_engine
from dispatch.planning.queue import CeleryQueue, workers_alive
from dispatch.planning.schemas import PLAN_TIME_LIMIT_SECONDS, PlanningRequest
from models import PlanningJob, Task
from models.enums import JobStatus
from scripts.demo_station import MAP_FILE, N_CLIENTS, N_VOLUNTEERS, Shape, load_demo_station
from scripts.local_redis import RedisServer, redis_program

DAY = date(2026, 11, 24)  # a Tuesday of the demo's schedules
# The demo station's Tuesday: tasks per client (measured: 118 tasks of 150 clients).
TASKS_PER_CLIENT = 118 / N_CLIENTS
CITY_STATIONS, CITY_MINUTES = 160, 30
CAREROUTE = Path(sys.executable).parent / "careroute"


def build_city(engine: Engine, stations: int, stops: int) -> list[int]:
    """The generated stations with their day's tasks; returns their ids."""
    services = build_services(None)
    clients = max(1, round(stops / TASKS_PER_CLIENT))
    volunteers = max(2, math.ceil(clients * N_VOLUNTEERS / N_CLIENTS))
    ids = []
    for n in range(stations):
        shape = Shape(
            code=f"city-{n:03d}",
            name=f"模拟社工站 {n + 1}",
            seed=1000 + n,
            clients=clients,
            volunteers=volunteers,
        )
        with Session(engine) as session:
            load_demo_station(session, services, shape)
            session.commit()
            station = _station_id(session, shape.code)
            services.days.generate(session, system_principal("simulate"), station, DAY)
            session.commit()
        ids.append(station)
    return ids


def _station_id(session: Session, code: str) -> int:
    from models import Station

    found = session.exec(select(Station.id).where(Station.code == code)).one()
    assert found is not None
    return found


def start_workers(count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for n in range(count):
        log = (logs / f"worker-{n}.log").open("wb")
        workers.append(
            subprocess.Popen([str(CAREROUTE), "worker"], env=env, stdout=log, stderr=log)
        )
    return workers


def queue_mornings(
    engine: Engine, settings: Settings, stations: list[int], seconds: float
) -> list[int]:
    """Every station asks for its day's plan at once, as coordinators do at 8 o'clock."""
    services = build_services(None, queue=CeleryQueue(settings))
    jobs = []
    # Each job's transaction writes: on SQLite it takes the write lock first, as a server's
    # request does, so it waits for the workers' writes instead of failing.
    with Session(for_writing(engine), expire_on_commit=False) as session:
        for station in stations:
            request = PlanningRequest(time_limit_seconds=seconds)
            job = services.planning.start(
                session, system_principal("simulate"), station, DAY, request
            )
            assert job.id is not None
            jobs.append(job.id)
    return jobs


def wait_for(engine: Engine, jobs: list[int], timeout: float) -> list[PlanningJob]:
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            rows = list(session.exec(select(PlanningJob).where(col(PlanningJob.id).in_(jobs))))
        if all(row.finished_at is not None for row in rows):
            return rows
        if time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def report(
    rows: list[PlanningJob], engine: Engine, args: argparse.Namespace, setup_seconds: float
) -> dict[str, Any]:
    created = min(row.created_at for row in rows)
    ended = [row for row in rows if row.finished_at is not None]
    finished = max((row.finished_at for row in ended if row.finished_at), default=created)
    waits = sorted(
        (row.started_at - row.created_at).total_seconds() for row in rows if row.started_at
    )
    solves = [
        (row.finished_at - row.started_at).total_seconds()
        for row in ended
        if row.started_at and row.finished_at
    ]
    with Session(engine) as session:
        stops = session.exec(
            select(func.count()).select_from(Task).where(Task.service_date == DAY)
        ).one()
    makespan = (finished - created).total_seconds()
    # A worker plans one job at a time: its cost per job is the time from taking the job to
    # storing its plan (the day's problem and matrices, the solver's process, the search,
    # storing the plan), measured here.
    per_job = statistics.fmean(solves) if solves else math.nan
    jobs_per_worker = CITY_MINUTES * 60 / per_job if solves else math.nan
    return {
        "stations": args.stations,
        "stops_per_station": args.stops_per_station,
        "stops_per_station_mean": round(stops / args.stations, 1),
        "celery_workers": args.celery_workers,
        "time_limit_seconds": args.time_limit,
        "database": make_engine_name(engine),
        "cpu_count": os.cpu_count(),
        "setup_seconds": round(setup_seconds, 1),
        "makespan_seconds": round(makespan, 2),
        "job_wait_p50_seconds": round(_quantile(waits, 0.5), 2),
        "job_wait_p95_seconds": round(_quantile(waits, 0.95), 2),
        "job_wait_max_seconds": round(max(waits, default=math.nan), 2),
        "solve_seconds_mean": round(per_job, 2),
        "solve_seconds_max": round(max(solves, default=math.nan), 2),
        "succeeded": sum(1 for row in rows if row.status is JobStatus.SUCCEEDED),
        "failed": sum(1 for row in rows if row.status is not JobStatus.SUCCEEDED),
        "planned_stops": sum(row.planned_stops or 0 for row in rows),
        "workers_for_city": math.ceil(CITY_STATIONS / jobs_per_worker) if solves else None,
        "workers_for_city_basis": (
            f"{CITY_STATIONS} stations' first plans in {CITY_MINUTES} min at "
            f"{per_job:.1f} s of a worker per job, one job at a time per worker on "
            f"{os.environ.get('CAREROUTE_PLANNER_CORES', '1')} core(s); "
            "each urgent re-plan adds the same"
        ),
    }


def make_engine_name(engine: Engine) -> str:
    return engine.dialect.name


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=12)
    parser.add_argument("--stops-per-station", type=int, default=100)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=PLAN_TIME_LIMIT_SECONDS)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--broker-url", help="default: a redis-server started here")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="careroute-city-"))
    redis = None
    broker = args.broker_url
    if broker is None:
        program = redis_program()
        if program is None:
            parser.error("no redis-server installed: install it or give --broker-url")
        redis = RedisServer(program)
        broker = redis.url
    url = args.database_url or f"sqlite:///{workdir / 'city.db'}"
    settings = Settings(database_url=url, broker_url=broker, data_dir=workdir)
    engine = make_engine(url)
    migrate.upgrade(engine)
    began = time.monotonic()
    stations = build_city(engine, args.stations, args.stops_per_station)
    setup = time.monotonic() - began
    env = os.environ | {
        "CAREROUTE_DATABASE_URL": url,
        "CAREROUTE_BROKER_URL": broker,
        "CAREROUTE_DATA_DIR": str(workdir),
        "CAREROUTE_MAP_EXTRACT": str(MAP_FILE),
        "CAREROUTE_GEOCODER": "none",
        # One core per worker, as the sizing below counts them, unless asked otherwise.
        "CAREROUTE_PLANNER_CORES": os.environ.get("CAREROUTE_PLANNER_CORES", "1"),
    }
    workers = start_workers(args.celery_workers, env, workdir)
    try:
        ready = time.monotonic()
        while len(workers_alive(settings)) < args.celery_workers:
            if time.monotonic() - ready > 180 or any(w.poll() is not None for w in workers):
                parser.error(f"the workers did not start: see {workdir}/worker-*.log")
            time.sleep(0.2)
        worker_start = time.monotonic() - ready
        jobs = queue_mornings(engine, settings, stations, args.time_limit)
        allowed = 3 * len(jobs) * (args.time_limit + 30) / args.celery_workers + 120
        rows = wait_for(engine, jobs, allowed)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=120)
        if redis is not None:
            redis.stop()
    result = report(rows, engine, args, setup) | {"worker_start_seconds": round(worker_start, 1)}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0 if result["failed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
