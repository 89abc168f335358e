"""A station's day over HTTP: generate and read its tasks, within one's own station only."""

from datetime import time

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


def test_a_coordinator_generates_the_day_others_only_read_it_or_not_at_all(
    api: httpx.Client, session: Session
) -> None:
    home, away = create_station(session), create_station(session)
    client = create_client(session, station=home)
    create_schedule(session, client=client, site=create_site(session, station=home))
    driver = create_volunteer(session, station=home, name="司机")
    create_availability(session, volunteer=driver, weekday=1, start_time=time(10))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(home,))
    manager = create_account(session, role=Role.MANAGER, stations=(home,))
    volunteer = create_account(session, role=Role.VOLUNTEER, volunteer=driver)
    day = f"/api/stations/{ident(home)}/days/2026-11-24"

    generated = api.post(f"{day}/generate", headers=coordinator.headers)
    assert generated.status_code == 200, generated.text
    body = generated.json()
    assert body["open"] is True
    assert [t["client_id"] for t in body["tasks"]] == [ident(client)]
    assert [v["name"] for v in body["volunteers"]] == ["司机"]
    assert body["volunteers"][0]["shift"] == {"start": "10:00:00", "end": "13:00:00"}

    assert api.get(day, headers=manager.headers).json()["tasks"] == body["tasks"]
    assert api.post(f"{day}/generate", headers=manager.headers).status_code == 403
    assert api.get(day, headers=volunteer.headers).status_code == 403
    elsewhere = f"/api/stations/{ident(away)}/days/2026-11-24"
    assert api.post(f"{elsewhere}/generate", headers=coordinator.headers).status_code == 404
    assert api.get(f"{day[:-10]}2026-02-30", headers=coordinator.headers).status_code == 422
