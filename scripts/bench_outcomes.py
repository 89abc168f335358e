"""Benchmark volunteers recording outcomes at once against the running server.

    python scripts/bench_outcomes.py --json OUT [--database-url URL]
        [--volunteers 200] [--stops 5] [--rate 200] [--retry 0.1]
        [--stations 1] [--server-workers 1]

Starts CareRoute (`careroute serve`, with `--workers N` server processes) on a fresh SQLite
file (or on the database at URL, with stations of its own), with a published plan per
station giving each of its volunteers a route. Then every
volunteer records an outcome at each of their doors, the submissions arriving at `rate` per
second in all; a share `retry` of them is sent twice with the same event id: half at the
same moment (a double tap), half after the first answer (a retry after a lost answer).

Reports throughput, p50/p99 latency, and whether the server stored each unique submission
exactly once (`stored` must equal `unique_submissions`), with one alert per no-answer. Then
the server's CPU per request, all its processes counted, in the same run: per outcome (the
load above), per `/livez` (a request that does nothing) and per authenticated read
(`/api/auth/me` with a volunteer's token), each also as a ratio to `/livez`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import httpx
from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, col, select

from dispatch import migrate
from dispatch.auth import service as auth_service
from dispatch.db import make_engine
from models import (
    Alert,
    Client,
    Outcome,
    Plan,
    PlanRoute,
    PlanStop,
    ServiceSchedule,
    Site,
    Station,
    Task,
    User,
    Volunteer,
)
from models.enums import (
    GeocodeStatus,
    PlanStatus,
    Recurrence,
    Role,
    ServiceKind,
    SiteKind,
    StopKind,
    TaskStatus,
    TokenKind,
)
from scripts.bench_report import write_reports

DAY = date(2026, 11, 24)
KINDS = (("delivered", 0.9), ("no_answer", 0.07), ("refused", 0.03))
# Requests sent after the paced load to measure the CPU of each kind, eight at a time and
# then one at a time: in ten rounds of a batch of each, after a batch of each that warms up.
PARALLEL, ROUNDS, WARM = 8, 10, 40
BATCHES = {"livez": 304, "auth_read": 304, "outcome": 96}  # multiples of PARALLEL
CORRECTIONS = 2 * (WARM + ROUNDS * BATCHES["outcome"])  # the outcomes they add


@dataclass(frozen=True)
class Door:
    stop_id: int
    token: str


@dataclass(frozen=True)
class Submission:
    at: float  # seconds after the start
    door: Door
    body: dict[str, Any]
    retry: str | None  # None, "double_tap" or "after_answer"


def set_up(url: str, volunteers: int, stops: int, stations: int) -> tuple[list[int], Routes]:
    """`stations` stations with a published plan each, sharing the volunteers between them:
    each volunteer a route of `stops` doors."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    station_ids, routes = [], []
    for n in range(stations):
        share = volunteers // stations + (1 if n < volunteers % stations else 0)
        station_id, its_routes = _station(engine, share, stops)
        station_ids.append(station_id)
        routes.extend(its_routes)
    engine.dispose()
    return station_ids, routes


Routes = list[list["Door"]]


def _station(engine: Engine, volunteers: int, stops: int) -> tuple[int, Routes]:
    run = uuid.uuid4().hex[:8]
    password_hash = auth_service.hash_password(uuid.uuid4().hex)  # nobody logs in with it
    with Session(engine, expire_on_commit=False) as session:
        station = Station(name=f"压测站 {run}", code=f"bench-{run}", lat=32.04, lon=118.78)
        session.add(station)
        session.flush()
        assert station.id is not None
        site = Site(
            station_id=station.id, name="长者食堂", kind=SiteKind.KITCHEN, lat=32.04, lon=118.78
        )
        plan = Plan(station_id=station.id, service_date=DAY, status=PlanStatus.PUBLISHED)
        session.add_all([site, plan])
        session.flush()
        routes: list[list[Door]] = []
        for v in range(volunteers):
            volunteer = Volunteer(
                station_id=station.id,
                name=f"志愿者{v}",
                lat=32.04,
                lon=118.78,
                geocode_status=GeocodeStatus.MANUAL,
            )
            session.add(volunteer)
            session.flush()
            user = User(
                username=f"bench-{run}-{v}",
                display_name=f"志愿者{v}",
                role=Role.VOLUNTEER,
                volunteer_id=volunteer.id,
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            token, _row = auth_service.issue_token(session, user, TokenKind.API, timedelta(days=1))
            assert volunteer.id is not None
            assert plan.id is not None
            route = PlanRoute(plan_id=plan.id, volunteer_id=volunteer.id)
            session.add(route)
            session.flush()
            doors = []
            for s in range(stops):
                client = Client(
                    station_id=station.id,
                    name=f"客户{v}-{s}",
                    lat=32.04 + s / 1000,
                    lon=118.78 + v / 10000,
                    geocode_status=GeocodeStatus.MANUAL,
                )
                session.add(client)
                session.flush()
                assert client.id is not None
                assert site.id is not None
                schedule = ServiceSchedule(
                    station_id=station.id,
                    client_id=client.id,
                    kind=ServiceKind.MEAL,
                    site_id=site.id,
                    recurrence=Recurrence.WEEKLY,
                    weekdays=[DAY.weekday()],
                    start_date=DAY,
                )
                session.add(schedule)
                session.flush()
                assert schedule.id is not None
                task = Task(
                    station_id=station.id,
                    service_date=DAY,
                    client_id=client.id,
                    schedule_id=schedule.id,
                    kind=ServiceKind.MEAL,
                    site_id=site.id,
                    status=TaskStatus.PLANNED,
                )
                session.add(task)
                session.flush()
                assert task.id is not None
                assert route.id is not None
                stop = PlanStop(
                    plan_id=plan.id,
                    route_id=route.id,
                    task_id=task.id,
                    kind=StopKind.DOOR,
                    position=s,
                )
                session.add(stop)
                session.flush()
                assert stop.id is not None
                doors.append(Door(stop.id, token))
            routes.append(doors)
        session.commit()
    return station.id, routes


def submissions(routes: list[list[Door]], rate: float, retry: float, seed: int) -> list[Submission]:
    """Each volunteer's doors in order, all volunteers interleaved, arriving at `rate`/s."""
    rng = random.Random(seed)
    doors = [route[s] for s in range(len(routes[0])) for route in routes if s < len(route)]
    planned = []
    for n, door in enumerate(doors):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        body = {
            "client_event_id": uuid.uuid4().hex,
            "kind": kind,
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        again = None
        if rng.random() < retry:
            again = "double_tap" if rng.random() < 0.5 else "after_answer"
        planned.append(Submission(n / rate, door, body, again))
    return planned


async def drive(base: str, planned: list[Submission]) -> tuple[list[float], list[int], int, float]:
    """Send the submissions on time. aiohttp, not httpx: the load must cost the machine
    (which also runs the server) as little as it can."""
    latencies: list[float] = []
    statuses: list[int] = []
    dropped = 0  # connections lost before an answer: the phone sends again, as here
    connector = aiohttp.TCPConnector(limit=400)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:

        async def send(item: Submission) -> None:
            nonlocal dropped
            started = time.perf_counter()
            for _attempt in range(3):
                try:
                    async with client.post(
                        f"/api/me/stops/{item.door.stop_id}/outcomes",
                        json=item.body,
                        headers={"Authorization": f"Bearer {item.door.token}"},
                    ) as answer:
                        await answer.read()
                except (aiohttp.ClientError, TimeoutError):
                    dropped += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses.append(answer.status)
                return
            statuses.append(0)

        async def one(item: Submission, start: float) -> None:
            await asyncio.sleep(max(0.0, start + item.at - time.perf_counter()))
            if item.retry == "double_tap":
                await asyncio.gather(send(item), send(item))
            else:
                await send(item)
                if item.retry == "after_answer":
                    await send(item)

        start = time.perf_counter() + 0.05
        await asyncio.gather(*(one(item, start) for item in planned))
        elapsed = time.perf_counter() - start
    return latencies, statuses, dropped, elapsed


SERVE = "from dispatch.cli import app; app()"  # `careroute serve`, with this interpreter


def serve(
    url: str,
    workdir: Path,
    workers: int = 1,
    *,
    under: Sequence[str] = (),
    code: str = SERVE,
    settings: dict[str, str] | None = None,
    start_seconds: float = 60,
) -> tuple[subprocess.Popen[bytes], str]:
    """The server on a free port, once it answers; `under`: a command it runs under (a
    profiler), `settings`: more of its environment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "CAREROUTE_DATABASE_URL": url,
        "CAREROUTE_DATA_DIR": str(workdir),
        "CAREROUTE_GEOCODER": "none",
        **(settings or {}),
    }
    command = [
        *under,
        sys.executable,
        "-c",
        code,
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_seconds
    while True:
        try:
            if httpx.get(f"{base}/livez", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes], seconds: float = 10) -> None:
    server.terminate()
    try:
        server.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run(
    url: str,
    volunteers: int,
    stops: int,
    rate: float,
    retry: float,
    workdir: Path,
    stations: int = 1,
    server_workers: int = 1,
) -> dict[str, Any]:
    before = _stations_there(url)
    station_ids, routes = set_up(url, volunteers, stops, stations)
    planned = submissions(routes, rate, retry, seed=20261127)
    server, base = serve(url, workdir, server_workers)
    try:
        # Warm up: the first request of each connection pays for its set-up, not measured;
        # with several server processes, enough requests that each has had some.
        with httpx.Client(base_url=base) as warm:
            for route in routes[: 5 * server_workers]:
                warm.get(
                    "/api/me/days",
                    params={"since": str(DAY)},
                    headers={"Authorization": f"Bearer {route[0].token}"},
                )
        cpu_before = _cpu_seconds(server.pid)
        latencies, statuses, dropped, elapsed = asyncio.run(drive(base, planned))
        cpu = _cpu_seconds(server.pid) - cpu_before
        token = routes[0][0].token
        doors = [door for route in routes for door in route]
        cpu_ms = asyncio.run(cpu_per_request(server.pid, base, token, doors, PARALLEL))
        alone = asyncio.run(cpu_per_request(server.pid, base, token, doors, 1))
    finally:
        stop(server)
    engine = make_engine(url)
    paced = col(Outcome.client_event_id).in_([item.body["client_event_id"] for item in planned])
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Outcome).where(paced)).one()
        # Besides those, exactly the corrections of the closed-loop measurement.
        others = (
            session.exec(
                select(func.count())
                .select_from(Outcome)
                .where(col(Outcome.station_id).in_(station_ids))
            ).one()
            - stored
        )
        alerts = session.exec(  # of the paced load's no-answers
            select(func.count())
            .select_from(Alert)
            .join(Outcome, col(Outcome.id) == Alert.outcome_id)
            .where(paced)
        ).one()
    engine.dispose()
    unique = len(planned)
    ms = sorted(1000 * value for value in latencies)
    per_outcome = 1000 * cpu / max(1, len(latencies))
    return {
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "stations": stations,
        # Another run's stations and alerts: the server's background work grows with them.
        "stations_there_before": before,
        "server_workers": server_workers,
        "volunteers": volunteers,
        "offered_rate_per_s": rate,
        "submissions": len(latencies),
        "unique_submissions": unique,
        "retried": sum(1 for item in planned if item.retry),
        "stored": stored,
        "stored_exactly_once": stored == unique and others == CORRECTIONS,
        "alerts": alerts,
        "no_answers": sum(1 for item in planned if item.body["kind"] == "no_answer"),
        "created_201": statuses.count(201),
        "duplicates_200": statuses.count(200),
        "errors": sum(1 for status in statuses if status not in (200, 201)),
        "dropped_connections": dropped,
        "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
        "server_cpu_ms_per_submission": round(per_outcome, 2),
        **_cpu_figures(cpu_ms),
        # One request at a time: no batching on the event loop, no waiting for the GIL.
        **_cpu_figures(alone, "_one_at_a_time"),
    }


def _stations_there(url: str) -> int:
    """The stations a database holds before the run (0 for a new one)."""
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("station"):
            return 0
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(Station)).one()
    finally:
        engine.dispose()


def _cpu_figures(ms: dict[str, float], suffix: str = "") -> dict[str, float]:
    """The CPU per request of each kind, and the outcome's and the read's to `/livez`'s."""
    return {
        f"cpu_ms_per_outcome{suffix}": round(ms["outcome"], 3),
        f"cpu_ms_per_livez{suffix}": round(ms["livez"], 3),
        f"cpu_ms_per_auth_read{suffix}": round(ms["auth_read"], 3),
        f"outcome_to_livez{suffix}": round(ms["outcome"] / ms["livez"], 1),
        f"auth_read_to_livez{suffix}": round(ms["auth_read"] / ms["livez"], 1),
    }


async def cpu_per_request(
    pid: int, base: str, token: str, doors: list[Door], parallel: int
) -> dict[str, float]:
    """The server's CPU milliseconds per `/livez`, per authenticated read (`/api/auth/me`)
    and per outcome, each sent `parallel` at a time on kept-alive connections, in rounds that
    take turns (a batch of each per round): a machine's speed drifts within a run, and the
    three figures must compare like with like. The paced load before also paid for waking
    an idle server at each request; not here. Each outcome is a correction at a door of the
    run (a new event id: stored, audited, alerted like any), with the run's mix of kinds,
    by volunteers whose tokens the server knows."""
    rng = random.Random(20261130)
    numbers = iter(range(CORRECTIONS))  # the doors, in turn (each a new event id)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base, connector=aiohttp.TCPConnector(limit=32)) as client:

        async def get(path: str, auth: dict[str, str], count: int) -> None:
            for _ in range(count):
                async with client.get(path, headers=auth) as answer:
                    await answer.read()
                    assert answer.status == 200, f"{path}: {answer.status}"

        async def outcome(count: int) -> None:
            for n in islice(numbers, count):
                door = doors[n % len(doors)]
                body = {
                    "client_event_id": uuid.uuid4().hex,
                    "kind": rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0],
                    "recorded_at": datetime.now(UTC).isoformat(),
                }
                async with client.post(
                    f"/api/me/stops/{door.stop_id}/outcomes",
                    json=body,
                    headers={"Authorization": f"Bearer {door.token}"},
                ) as answer:
                    await answer.read()
                    assert answer.status == 201, f"outcome: {answer.status}"

        def batch(kind: str, count: int) -> Awaitable[Any]:
            each = count // parallel
            if kind == "livez":
                return asyncio.gather(*(get("/livez", {}, each) for _ in range(parallel)))
            if kind == "auth_read":
                return asyncio.gather(
                    *(get("/api/auth/me", headers, each) for _ in range(parallel))
                )
            return asyncio.gather(*(outcome(each) for _ in range(parallel)))

        for kind in BATCHES:  # warm the connections and the code
            await batch(kind, WARM)
        spent = dict.fromkeys(BATCHES, 0.0)
        for _ in range(ROUNDS):
            for kind, count in BATCHES.items():
                before = _cpu_seconds(pid)
                await batch(kind, count)
                spent[kind] += _cpu_seconds(pid) - before
        return {kind: 1000 * spent[kind] / (ROUNDS * count) for kind, count in BATCHES.items()}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children (the server processes of
    `--workers`) have used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(child) for child in task.read_text().split()]
    return own + sum(_cpu_seconds(child) for child in children)


def _earlier_runs(stations: int) -> list[str]:
    if not stations:
        return []
    return [
        f"The database held {stations} stations of earlier runs (their open alerts are the "
        "server's background work too): compare only runs on a new database.",
        "",
    ]


def markdown(row: dict[str, Any], command: str) -> str:
    return "\n".join(
        [
            "# Volunteers recording outcomes at once",
            "",
            f"Reproduce: `{command}`",
            "",
            f"{row['volunteers']} volunteers, each recording an outcome at each door of a "
            f"published route, offered at {row['offered_rate_per_s']} submissions/s in all "
            f"against `careroute serve` on {row['database']}; {row['retried']} submissions "
            "sent twice with the same event id (double taps and retries after a lost answer).",
            "",
            *_earlier_runs(row.get("stations_there_before", 0)),
            "| database | submissions | unique | stored | stored once | errors | "
            "throughput /s | p50 ms | p99 ms | max ms | alerts / no-answers |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {row['database']} | {row['submissions']} | {row['unique_submissions']} | "
            f"{row['stored']} | {row['stored_exactly_once']} | {row['errors']} | "
            f"{row['throughput_per_s']} | {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} | "
            f"{row['alerts']} / {row['no_answers']} |",
            "",
            "Server CPU per request, all its processes, in ten rounds taking turns (eight "
            "at a time on kept-alive connections): "
            f"outcome {row['cpu_ms_per_outcome']} ms ({row['outcome_to_livez']}x `/livez`), "
            f"authenticated read {row['cpu_ms_per_auth_read']} ms "
            f"({row['auth_read_to_livez']}x), `/livez` {row['cpu_ms_per_livez']} ms; "
            f"per submission of the paced load {row['server_cpu_ms_per_submission']} ms. "
            "One at a time: "
            f"outcome {row['cpu_ms_per_outcome_one_at_a_time']} ms "
            f"({row['outcome_to_livez_one_at_a_time']}x `/livez`), authenticated read "
            f"{row['cpu_ms_per_auth_read_one_at_a_time']} ms "
            f"({row['auth_read_to_livez_one_at_a_time']}x), `/livez` "
            f"{row['cpu_ms_per_livez_one_at_a_time']} ms.",
            "",
            "Targets: p99 under 100 ms; an outcome at most 4x and an authenticated read at "
            "most 2x the CPU of `/livez` (issue 15).",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--stops", type=int, default=5)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--retry", type=float, default=0.1)
    parser.add_argument("--stations", type=int, default=1, help="volunteers shared among them")
    parser.add_argument(
        "--server-workers", type=int, default=1, help="server processes (PostgreSQL only)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.db'}"
        row = run(
            url,
            args.volunteers,
            args.stops,
            args.rate,
            args.retry,
            Path(workdir),
            args.stations,
            args.server_workers,
        )
    print(row)
    write_reports(args.json, row, "bench_outcomes.py", argv, markdown)
    return 0 if row["stored_exactly_once"] and not row["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
