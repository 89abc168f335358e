"""A station's day planned through the API: clients, volunteers, a plan (published or not)."""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session

from models import Station
from models.enums import Role
from tests.builders.accounts import Account, create_account
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)

DAY = "2026-11-24"  # a Tuesday


def small_day(session: Session, clients: int = 6) -> tuple[str, Account]:
    """A station with `clients` lunches from one kitchen and one volunteer on Tuesdays: the
    day's API path, and its coordinator."""
    station = create_station(session)
    kitchen = create_site(session, station=station)
    for n in range(clients):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 400)
        create_schedule(session, client=client, site=kitchen)
    volunteer = create_volunteer(session, station=station)
    create_availability(session, volunteer=volunteer, weekday=1, start_time=clock(10))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    session.commit()
    return f"/api/stations/{ident(station)}/days/{DAY}", coordinator


@dataclass
class PlannedDay:
    station: Station
    coordinator: Account
    volunteers: dict[int, Account]  # by volunteer id
    plan: dict[str, Any]

    def doors(self, volunteer_id: int) -> list[dict[str, Any]]:
        route = next(r for r in self.plan["routes"] if r["volunteer_id"] == volunteer_id)
        return [stop for stop in route["stops"] if stop["kind"] == "door"]

    def record(self, api: httpx.Client, door: dict[str, Any], kind: str, **fields: Any) -> None:
        """What the door's volunteer taps on their phone: `kind`, now."""
        route = next(r for r in self.plan["routes"] if door in r["stops"])
        me = self.volunteers[route["volunteer_id"]]
        api.post(
            f"/api/me/stops/{door['id']}/outcomes", json=outcome(kind, **fields), headers=me.headers
        ).raise_for_status()

    @property
    def first_route(self) -> dict[str, Any]:
        route: dict[str, Any] = self.plan["routes"][0]
        return route


def plan_day(
    api: httpx.Client,
    session: Session,
    *,
    clients: int = 4,
    volunteers: int = 2,
    publish: bool = True,
    station_fields: dict[str, Any] | None = None,
) -> PlannedDay:
    station = create_station(session, **(station_fields or {}))
    kitchen = create_site(session, station=station)
    for n in range(clients):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 300)
        create_schedule(session, client=client, site=kitchen)
    people = [
        create_volunteer(session, station=station, name=f"志愿者{n}") for n in range(volunteers)
    ]
    for person in people:
        create_availability(session, volunteer=person, weekday=1, start_time=clock(10))
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    accounts = {ident(p): create_account(session, role=Role.VOLUNTEER, volunteer=p) for p in people}
    day = f"/api/stations/{ident(station)}/days/{DAY}"
    api.post(f"{day}/generate", headers=boss.headers).raise_for_status()
    plan = planned(api, day, boss.headers)
    if publish:
        plan = published(api, plan, boss.headers)
    return PlannedDay(station=station, coordinator=boss, volunteers=accounts, plan=plan)


def plan_today(api: httpx.Client, session: Session, zone: str) -> PlannedDay:
    """Three lunches served today in the time zone `zone` (the server reads the real clock)
    by one volunteer, whatever the weekday and even on a public holiday: published."""
    today = datetime.now(ZoneInfo(zone)).date()
    station = create_station(session, timezone=zone, observes_public_holidays=False)
    kitchen = create_site(session, station=station)
    for n in range(3):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 300)
        create_schedule(
            session, client=client, site=kitchen, weekdays=list(range(7)), start_date=today
        )
    helper = create_volunteer(session, station=station, name="志愿者甲")
    create_availability(session, volunteer=helper, weekday=today.weekday(), start_time=clock(10))
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    me = create_account(session, role=Role.VOLUNTEER, volunteer=helper)
    session.commit()
    path = f"/api/stations/{ident(station)}/days/{today}"
    api.post(f"{path}/generate", headers=boss.headers).raise_for_status()
    plan = published(api, planned(api, path, boss.headers), boss.headers)
    return PlannedDay(station=station, coordinator=boss, volunteers={ident(helper): me}, plan=plan)


def published(api: httpx.Client, draft: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """Publish the draft; the plan as published."""
    answer = api.post(
        f"/api/plans/{draft['id']}/publish", json={"revision": draft["revision"]}, headers=headers
    )
    answer.raise_for_status()
    plan: dict[str, Any] = answer.json()
    return plan


def planned(api: httpx.Client, day: str, headers: dict[str, str]) -> dict[str, Any]:
    """Plan the day (`/api/stations/{id}/days/{date}`) in one second and return its new
    draft, once the job has succeeded."""
    job = api.post(f"{day}/plan", json={"time_limit_seconds": 1}, headers=headers).json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "planning took over a minute"
        time.sleep(0.2)
        job = api.get(f"/api/planning-jobs/{job['id']}", headers=headers).json()
    assert job["status"] == "succeeded", job["error"]
    plan: dict[str, Any] = api.get(f"{day}/plan", headers=headers).json()
    return plan


def outcome(kind: str, **fields: Any) -> dict[str, Any]:
    """What a volunteer's phone sends for a door: `kind`, now, with a new event id."""
    return {
        "client_event_id": uuid.uuid4().hex,
        "kind": kind,
        "recorded_at": datetime.now(UTC).isoformat(),
    } | fields


def record_outcome(
    api: httpx.Client, stop_id: int, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    """Send what the phone sends for a door (`body`, see `outcome`); the answer, checked."""
    answer = api.post(f"/api/me/stops/{stop_id}/outcomes", json=body, headers=headers)
    answer.raise_for_status()
    return answer
