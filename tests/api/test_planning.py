"""Planning over HTTP: start, follow and read the plan; managers read, never plan."""

import time
from datetime import time as clock

import httpx
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import create_account
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)


def test_a_coordinator_plans_the_day_and_reads_the_draft(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    kitchen = create_site(session, station=station)
    for n in range(4):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 500)
        create_schedule(session, client=client, site=kitchen)
    volunteer = create_volunteer(session, station=station)
    create_availability(session, volunteer=volunteer, weekday=1, start_time=clock(10))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    day = f"/api/stations/{ident(station)}/days/2026-11-24"

    assert api.post(f"{day}/plan", json={}, headers=coordinator.headers).status_code == 422
    api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
    assert api.post(f"{day}/plan", json={}, headers=manager.headers).status_code == 403
    started = api.post(f"{day}/plan", json={"time_limit_seconds": 1}, headers=coordinator.headers)
    assert started.status_code == 202, started.text
    job = started.json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
        job = api.get(f"/api/planning-jobs/{job['id']}", headers=manager.headers).json()
    assert job["status"] == "succeeded", job["error"]
    assert job["best_cost"] is not None

    plan = api.get(f"{day}/plan", headers=manager.headers).json()
    assert plan["id"] == job["plan_id"]
    assert plan["status"] == "draft"
    [route] = plan["routes"]
    assert route["volunteer_id"] == ident(volunteer)
    doors = [stop["client_name"] for stop in route["stops"] if stop["kind"] == "door"]
    assert sorted(doors) == [f"客户{n}" for n in range(4)]
    assert all(stop["start"] >= "10:00" for stop in route["stops"])
    again = api.post(f"/api/planning-jobs/{job['id']}/cancel", headers=coordinator.headers)
    assert again.status_code == 409  # it has ended
