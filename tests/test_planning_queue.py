"""Planning on the queue: a real Redis, a real `careroute serve` that only enqueues, and real
`careroute worker` processes that plan, are cancelled, are killed mid-plan, and take urgent
re-plans before the morning's first plans."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlmodel import Session

from models import PlanningJob
from tests.builders.accounts import Account
from tests.builders.days import small_day
from tests.processes import Server, Worker, alive, until

DAY = "2026-11-24"  # a Tuesday


class City:
    """The processes of one test: a server, its workers, on one database and broker."""

    def __init__(self, database_url: str, data_dir: Path, broker: str) -> None:
        self.database_url, self.data_dir, self.broker = database_url, data_dir, broker
        self.workers: list[Worker] = []
        self.server: Server | None = None

    def serve(self) -> httpx.Client:
        self.server = Server(
            self.database_url, self.data_dir, env={"CAREROUTE_BROKER_URL": self.broker}
        )
        return httpx.Client(base_url=self.server.url, timeout=30)

    def worker(self, **env: str) -> Worker:
        worker = Worker(self.database_url, self.data_dir, self.broker, env)
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        for process in [w.process for w in self.workers] + (
            [self.server.process] if self.server else []
        ):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def city(database_url: str, tmp_path: Path, broker: str) -> Iterator[City]:
    found = City(database_url, tmp_path, broker)
    yield found
    found.close()


def _plan(api: httpx.Client, day: str, who: Account, seconds: float) -> dict[str, object]:
    started = api.post(f"{day}/plan", json={"time_limit_seconds": seconds}, headers=who.headers)
    assert started.status_code == 202, started.text
    body: dict[str, object] = started.json()
    return body


def _job(api: httpx.Client, job_id: object, who: Account) -> dict[str, object]:
    found = api.get(f"/api/planning-jobs/{job_id}", headers=who.headers)
    assert found.status_code == 200, found.text
    body: dict[str, object] = found.json()
    return body


def _row(session: Session, job_id: object) -> PlanningJob:
    session.rollback()  # a new transaction sees what the worker wrote
    job = session.get(PlanningJob, job_id)
    assert job is not None
    session.refresh(job)
    return job


def _ended(api: httpx.Client, job_id: object, who: Account, status: str = "succeeded") -> None:
    until(lambda: _job(api, job_id, who)["status"] == status, 90, f"job {job_id} {status}")


def test_a_worker_plans_what_the_server_queued_and_healthz_says_who_serves(
    session: Session, city: City
) -> None:
    day, coordinator = small_day(session)
    with city.serve() as api:
        health = api.get("/healthz")
        assert health.status_code == 503  # nobody serves the lanes yet
        assert health.json()["unserved_lanes"] == ["urgent", "bulk", "notify"]
        worker = city.worker()
        until(lambda: api.get("/healthz").status_code == 200, 60, "the worker to say so")
        (seen,) = api.get("/healthz").json()["workers"]
        assert seen["lanes"] == ["careroute.urgent", "careroute.bulk", "careroute.notify"]

        api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
        first = _plan(api, day, coordinator, 1)
        assert first["status"] == "queued"
        assert first["urgent"] is False  # the day's first plan: the morning's bulk
        _ended(api, first["id"], coordinator)
        row = _row(session, first["id"])
        assert row.watcher.endswith(f":{worker.process.pid}")  # the worker planned it
        assert row.attempts == 1
        plan = api.get(f"{day}/plan", headers=coordinator.headers).json()
        assert plan["id"] == row.plan_id
        assert plan["planned_stops"] == 6

        again = _plan(api, day, coordinator, 1)
        assert again["urgent"] is True  # a re-plan someone waits for
        _ended(api, again["id"], coordinator)
        assert api.get(f"{day}/plan", headers=coordinator.headers).json()["version"] == 2


@pytest.mark.solo  # measures how soon a cancel stops the solver
def test_cancel_stops_a_running_job_within_seconds_and_drops_a_queued_one(
    session: Session, city: City
) -> None:
    busy_day, busy = small_day(session)
    queued_day, other = small_day(session)
    with city.serve() as api:
        city.worker()
        for day, who in ((busy_day, busy), (queued_day, other)):
            api.post(f"{day}/generate", headers=who.headers).raise_for_status()
        running = _plan(api, busy_day, busy, 60)
        until(lambda: _row(session, running["id"]).worker_pid, 60, "the job to start")
        solver = _row(session, running["id"]).worker_pid
        assert solver is not None
        waiting = _plan(api, queued_day, other, 1)  # the one worker is busy: it waits

        dropped = api.post(f"/api/planning-jobs/{waiting['id']}/cancel", headers=other.headers)
        assert dropped.status_code == 200, dropped.text
        assert dropped.json()["status"] == "cancelled"  # at once: no worker had it

        asked = time.monotonic()
        cancelled = api.post(f"/api/planning-jobs/{running['id']}/cancel", headers=busy.headers)
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["cancel_requested"] is True
        until(lambda: not alive(solver), 10, "the solver to stop")
        stopped = time.monotonic() - asked
        _ended(api, running["id"], busy, "cancelled")
        assert stopped < 2.5, f"the solver stopped {stopped:.1f} s after the cancel"
        # The worker takes the waiting job's message next, and drops it.
        lanes = redis.Redis.from_url(city.broker)
        until(lambda: lanes.llen("careroute.bulk") == 0, 10, "the message to be taken")
        until(lambda: not lanes.hlen("unacked"), 10, "the message to be acknowledged")
        dropped_row = _row(session, waiting["id"])
        assert dropped_row.status == "cancelled"
        assert dropped_row.attempts == 0
        assert api.get(f"{queued_day}/plan", headers=other.headers).status_code == 404


def test_a_worker_killed_mid_plan_leaves_the_plan_intact_and_the_job_is_begun_once_more(
    session: Session, city: City
) -> None:
    day, coordinator = small_day(session)
    # The broker hands a job out again when its worker has not finished it in 4 s, which
    # this test's jobs outlast: the second delivery of a live job is dropped.
    quick = {"CAREROUTE_BROKER_VISIBILITY_SECONDS": "4"}
    with city.serve() as api:
        first_worker = city.worker(**quick)
        api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
        first = _plan(api, day, coordinator, 1)
        _ended(api, first["id"], coordinator)
        previous = api.get(f"{day}/plan", headers=coordinator.headers).json()

        long = _plan(api, day, coordinator, 6)
        until(lambda: _row(session, long["id"]).worker_pid, 60, "the job to start")
        solver = _row(session, long["id"]).worker_pid
        assert solver is not None
        first_worker.stop(signal.SIGKILL)
        until(lambda: not alive(solver), 10, "the solver to stop with its worker")
        # Read, the job is found lost and queued again, in the urgent lane.
        lost = _job(api, long["id"], coordinator)
        assert (lost["status"], lost["attempts"], lost["urgent"]) == ("queued", 1, True)
        still = api.get(f"{day}/plan", headers=coordinator.headers).json()
        assert (still["id"], still["version"]) == (previous["id"], previous["version"])

        city.worker(**quick)
        _ended(api, long["id"], coordinator)
        assert _row(session, long["id"]).attempts == 2
        now = api.get(f"{day}/plan", headers=coordinator.headers).json()
        assert now["version"] == previous["version"] + 1
        assert now["planned_stops"] == 6
        # The killed worker's message comes back from the broker, and is dropped: the job
        # has ended, and nothing plans the day a third time.
        lanes = redis.Redis.from_url(city.broker)
        until(lambda: not lanes.hlen("unacked"), 30, "every message to be acknowledged")
        assert _row(session, long["id"]).attempts == 2
        assert api.get(f"{day}/plan", headers=coordinator.headers).json()["id"] == now["id"]


def test_an_urgent_replan_overtakes_the_mornings_first_plans(session: Session, city: City) -> None:
    (busy_day, busy), (later_day, later), (urgent_day, urgent) = (
        small_day(session) for _ in range(3)
    )
    with city.serve() as api:
        city.worker()
        for day, who in ((busy_day, busy), (later_day, later), (urgent_day, urgent)):
            api.post(f"{day}/generate", headers=who.headers).raise_for_status()
        first = _plan(api, urgent_day, urgent, 1)
        _ended(api, first["id"], urgent)

        running = _plan(api, busy_day, busy, 4)
        until(lambda: _row(session, running["id"]).worker_pid, 60, "the job to start")
        bulk = _plan(api, later_day, later, 1)
        replan = _plan(api, urgent_day, urgent, 1)
        assert (bulk["urgent"], replan["urgent"]) == (False, True)
        for job_id, who in ((running["id"], busy), (bulk["id"], later), (replan["id"], urgent)):
            _ended(api, job_id, who)
        bulk_row, replan_row = _row(session, bulk["id"]), _row(session, replan["id"])
        assert replan_row.started_at is not None
        assert bulk_row.started_at is not None
        assert replan_row.started_at < bulk_row.started_at, "the urgent lane came second"


def test_a_small_citys_morning_is_simulated_through_the_queue(broker: str, tmp_path: Path) -> None:
    """scripts/simulate_city.py, small: every job planned by the workers it starts, and the
    report's figures are the ones the deploy guide reads."""
    from scripts.simulate_city import main

    out = tmp_path / "city.json"
    code = main(
        [
            *("--stations", "2", "--stops-per-station", "12", "--celery-workers", "1"),
            *("--time-limit", "1", "--broker-url", broker, "--json", str(out)),
        ]
    )
    report = json.loads(out.read_text())
    assert code == 0, report
    assert (report["stations"], report["succeeded"], report["failed"]) == (2, 2, 0)
    assert report["planned_stops"] > 0
    assert report["job_wait_p50_seconds"] <= report["job_wait_p95_seconds"]
    assert report["solve_seconds_mean"] >= 1  # at least the time limit
    assert report["makespan_seconds"] >= 2 * report["solve_seconds_mean"] * 0.9  # one worker
    assert report["workers_for_city"] >= 1
