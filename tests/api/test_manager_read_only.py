"""Managers read everything of their stations and change nothing: every write endpoint of the
API and of the pages, called by a manager with real ids, leaves every table as it was."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.routing import APIRoute
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from models.enums import Role
from tests.builders.accounts import create_account
from tests.builders.days import DAY, plan_day
from tests.conftest import RunningServer

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Not a manager's business by design: their own login and logout, and route links (the link
# itself is the credential, not an account).
OWN_SESSION = ("/api/auth/", "/login", "/language/", "/r/")


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every endpoint, through the routers included in others."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.160)
            found.extend(api_routes(route.original_router.routes))
    return found


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_a_manager_changes_nothing_through_any_write_endpoint(
    api: httpx.Client, session: Session, engine: Engine, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=6, volunteers=1)
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    route = day.first_route
    door = day.doors(route["volunteer_id"])[0]
    volunteer = day.volunteers[route["volunteer_id"]]
    api.post(
        f"/api/me/stops/{door['id']}/outcomes",
        json={
            "client_event_id": uuid.uuid4().hex,
            "kind": "no_answer",
            "recorded_at": datetime.now(UTC).isoformat(),
        },
        headers=volunteer.headers,
    ).raise_for_status()
    alert = api.get(
        f"/api/stations/{day.station.id}/alerts", headers=day.coordinator.headers
    ).json()[0]
    release = api.post(
        f"/api/me/days/{DAY}/release", json={"reason": "x"}, headers=volunteer.headers
    ).json()
    link = api.post(
        "/api/route-links",
        json={"volunteer_id": route["volunteer_id"], "service_date": DAY},
        headers=day.coordinator.headers,
    ).json()
    values: dict[str, Any] = {
        "station_id": day.station.id,
        "day": DAY,
        "plan_id": day.plan["id"],
        "route_id": route["id"],
        "stop_id": door["id"],
        "task_id": door["task_id"],
        "volunteer_id": route["volunteer_id"],
        "client_id": door["client_id"],
        "alert_id": alert["id"],
        "release_id": release["id"],
        "link_id": link["id"],
        "record_id": door["client_id"],
        "row_id": door["client_id"],
        "kind": "clients",
        "event": "started",
        "answer": "accept",
        "locale": "en",
        "sheet": "routes",
        "card": "card",
    }
    bodies: list[dict[str, Any]] = [
        {},
        {
            "revision": day.plan["revision"],
            "locked": True,
            "volunteer_id": route["volunteer_id"],
            "name": "改名",
            "reason": "x",
            "step": "call_client",
            "result": "x",
            "resolution": "client_safe",
            "client_event_id": uuid.uuid4().hex,
            "kind": "delivered",
            "recorded_at": datetime.now(UTC).isoformat(),
            "service_date": DAY,
            "time_limit_seconds": 1,
        },
    ]
    before = row_counts(engine)
    tried = 0
    for route_ in api_routes(server.app.routes):
        methods = (route_.methods or set()) & WRITES
        if not methods:
            continue
        if route_.path.startswith(OWN_SESSION):
            continue
        path = route_.path.format(**{name: values.get(name, 1) for name in route_.param_convertors})
        for method in methods:
            for body in bodies:
                tried += 1
                form = {k: str(v) for k, v in body.items()} | {"back": "/"}
                answer = api.request(
                    method,
                    path,
                    json=body if path.startswith("/api/") else None,
                    data=None if path.startswith("/api/") else form,
                    headers=manager.headers,
                )
                assert answer.status_code not in (200, 201, 202, 204), (method, path, answer.text)
    assert tried > 60
    assert row_counts(engine) == before
