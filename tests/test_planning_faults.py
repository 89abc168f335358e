"""A server killed or stopped while it plans: the job does not stay "running" for ever, the
solver's process does not run on, a new plan of the day can start at once, and the previous
plan is intact. The server is a real `careroute serve` process, killed for real."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from models import PlanningJob
from models.enums import JobStatus
from tests.builders.accounts import Account, sign_in
from tests.builders.days import small_day
from tests.builders.records import (
    ident,
    save,
)
from tests.processes import Server, alive, children, until


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def _job(client: httpx.Client, job_id: int, account: Account) -> dict[str, object]:
    found = client.get(f"/api/planning-jobs/{job_id}", headers=account.headers)
    assert found.status_code == 200, found.text
    body: dict[str, object] = found.json()
    return body


def _plan(api: httpx.Client, day: str, account: Account, seconds: float) -> int:
    """Start planning the day; the job's id."""
    started = api.post(f"{day}/plan", json={"time_limit_seconds": seconds}, headers=account.headers)
    assert started.status_code == 202, started.text
    job_id: int = started.json()["id"]
    return job_id


def _planned(api: httpx.Client, day: str, account: Account, seconds: float) -> None:
    """Plan the day, and wait for the plan."""
    job_id = _plan(api, day, account, seconds)
    until(lambda: _job(api, job_id, account)["status"] == "succeeded", 60, f"job {job_id}")


def _solver(session: Session, job_id: int) -> int:
    """The pid of the job's solver process, once it runs."""
    deadline = time.monotonic() + 30
    while True:
        session.rollback()  # a new transaction sees what the server wrote
        job = session.get(PlanningJob, job_id)
        if job is not None and job.worker_pid:
            return job.worker_pid
        assert time.monotonic() < deadline, "the job did not start"
        time.sleep(0.2)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_server_stopped_while_planning_leaves_no_job_running_and_no_solver(
    session: Session,
    servers: list[Server],
    database_url: str,
    tmp_path: Path,
    how: signal.Signals,
) -> None:
    day, coordinator = small_day(session)
    servers.append(Server(database_url, tmp_path))
    with httpx.Client(base_url=servers[0].url, timeout=30) as api:
        api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
        _planned(api, day, coordinator, 1)
        previous = api.get(f"{day}/plan", headers=coordinator.headers).json()["id"]
        long_id = _plan(api, day, coordinator, 120)
        solver = _solver(session, long_id)

    servers[0].stop(how)
    until(lambda: not alive(solver), 10, "the solver to stop with its server")

    servers.append(Server(database_url, tmp_path))
    with httpx.Client(base_url=servers[1].url, timeout=30) as api:
        job = _job(api, long_id, coordinator)
        assert job["status"] == "failed", job
        assert "server" in str(job["error"]), job["error"]
        assert "stopped" in str(job["error"]), job["error"]
        assert api.get(f"{day}/plan", headers=coordinator.headers).json()["id"] == previous
        cancelled = api.post(f"/api/planning-jobs/{long_id}/cancel", headers=coordinator.headers)
        assert cancelled.status_code == 409  # it has ended
        _planned(api, day, coordinator, 1)


def test_a_plan_searched_on_two_cores_and_a_cancel_that_stops_both_searches(
    session: Session, servers: list[Server], database_url: str, tmp_path: Path
) -> None:
    day, coordinator = small_day(session)
    servers.append(Server(database_url, tmp_path, env={"CAREROUTE_PLANNER_CORES": "2"}))
    with httpx.Client(base_url=servers[0].url, timeout=30) as api:
        api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
        _planned(api, day, coordinator, 2)  # on two cores
        plan = api.get(f"{day}/plan", headers=coordinator.headers).json()
        assert plan["routes"], plan
        assert plan["unplanned"] == [], plan["unplanned"]

        long_id = _plan(api, day, coordinator, 120)
        solver = _solver(session, long_id)
        until(lambda: children(solver), 30, "the second search to start")
        side = children(solver)
        cancelled = api.post(f"/api/planning-jobs/{long_id}/cancel", headers=coordinator.headers)
        assert cancelled.status_code == 200, cancelled.text
        # Both searches stop: the side search does not run on to its limit unread.
        until(lambda: not alive(solver) and not any(map(alive, side)), 5, "both to stop")
        until(lambda: _job(api, long_id, coordinator)["status"] == "cancelled", 10, "cancelled")
        assert api.get(f"{day}/plan", headers=coordinator.headers).json()["id"] == plan["id"]


def test_a_job_whose_watcher_stopped_beating_is_failed_when_it_is_read(
    session: Session, api: httpx.Client
) -> None:
    """A job watched by a server on another machine: alive while its heartbeat is fresh,
    failed once it is older than 15 s, and then a new plan of the day may start."""
    day, coordinator = small_day(session)
    station_id = int(day.split("/")[3])
    now = datetime.now(UTC)
    fresh, stale = (
        save(
            session,
            PlanningJob(
                station_id=station_id,
                service_date=date(2026, 11, 24),
                status=JobStatus.RUNNING,
                time_limit_seconds=60,
                watcher="another-machine:4242",
                heartbeat_at=now - timedelta(seconds=age),
            ),
        )
        for age in (3, 20)
    )
    session.commit()

    assert _job(api, ident(fresh), coordinator)["status"] == "running"
    gone = _job(api, ident(stale), coordinator)
    assert gone["status"] == "failed"
    assert "stopped answering" in str(gone["error"])
    # The coordinator's page says so in words of the catalogue and what to do; the technical
    # text (English) stays folded away for the administrator.
    assert sign_in(api, coordinator.user.username).status_code == 303
    page = api.get(f"/days/{station_id}/2026-11-24").text
    status = page.index('class="job-status"')
    assert "规划失败" in page[status:]
    assert "请重新规划当天" in page
    folded = page.index('<details class="error">')
    assert page.index("stopped answering") > folded
    # Not ours to stop: its watcher is asked to, and stops it at its next heartbeat.
    cancelled = api.post(f"/api/planning-jobs/{ident(fresh)}/cancel", headers=coordinator.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancel_requested"] is True
    assert _job(api, ident(fresh), coordinator)["status"] == "running"
