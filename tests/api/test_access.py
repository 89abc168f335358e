"""The access matrix: every role against every record endpoint, in and outside its station.

The expectations are written out here from the rules in the issue, not computed from
dispatch.access, so a change to the policy shows up as a failing row.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from models import Menu, Station, StationClosure
from models.enums import Diet, Role, SiteKind
from tests.builders.accounts import Account, create_account, create_user
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
    save,
)

# r: read; u: update; w: create, update, archive, restore, delete; o: read own record only
RIGHTS: dict[str, dict[Role, str]] = {
    "stations": {Role.ADMIN: "rw", Role.COORDINATOR: "ru", Role.MANAGER: "r", Role.VOLUNTEER: "r"},
    "sites": {Role.ADMIN: "rw", Role.COORDINATOR: "rw", Role.MANAGER: "r", Role.VOLUNTEER: "r"},
    "clients": {Role.ADMIN: "rw", Role.COORDINATOR: "rw", Role.MANAGER: "r", Role.VOLUNTEER: ""},
    "volunteers": {
        Role.ADMIN: "rw",
        Role.COORDINATOR: "rw",
        Role.MANAGER: "r",
        Role.VOLUNTEER: "o",
    },
    "availability": {
        Role.ADMIN: "rw",
        Role.COORDINATOR: "rw",
        Role.MANAGER: "r",
        Role.VOLUNTEER: "o",
    },
    "schedules": {Role.ADMIN: "rw", Role.COORDINATOR: "rw", Role.MANAGER: "r", Role.VOLUNTEER: ""},
    "closures": {Role.ADMIN: "rw", Role.COORDINATOR: "rw", Role.MANAGER: "r", Role.VOLUNTEER: "r"},
    "menus": {Role.ADMIN: "rw", Role.COORDINATOR: "rw", Role.MANAGER: "r", Role.VOLUNTEER: ""},
    "users": {Role.ADMIN: "rw", Role.COORDINATOR: "", Role.MANAGER: "", Role.VOLUNTEER: ""},
}
OPERATIONS = ("list", "get", "get_other", "create", "update", "archive", "restore", "delete")
PRIVATE_FIELDS = ("emergency_contact_phone", "emergency_contact_name", "health_notes")


@dataclass
class World:
    accounts: dict[Role, Account]
    own: dict[str, int]  # a record of each kind in the users' station
    other: dict[str, int]  # the same kinds in another station
    create_bodies: dict[str, dict[str, Any]]
    update_bodies: dict[str, dict[str, Any]]
    volunteer_phone_of_colleague: str


def _records(session: Session, station: Station) -> dict[str, Any]:
    kitchen = create_site(session, station=station, kind=SiteKind.KITCHEN)
    client = create_client(session, station=station)
    volunteer = create_volunteer(session, station=station)
    return {
        "station": station,
        "site": kitchen,
        "client": client,
        "volunteer": volunteer,
        "availability": create_availability(session, volunteer=volunteer),
        "schedule": create_schedule(session, client=client, site=kitchen),
        "closure": save(
            session,
            StationClosure(
                station_id=ident(station),
                date_from=date(2026, 12, 31),
                date_to=date(2026, 12, 31),
                reason="年终盘点",
            ),
        ),
        "menu": save(
            session,
            Menu(
                station_id=ident(station),
                site_id=ident(kitchen),
                service_date=date(2026, 11, 24),
                diet=Diet.REGULAR,
                dish="红烧肉",
                allergens=[],
            ),
        ),
    }


@pytest.fixture
def world(session: Session) -> World:
    home, away = create_station(session), create_station(session)
    mine, theirs = _records(session, home), _records(session, away)
    me_as_volunteer = create_volunteer(session, station=home, name="我自己")
    my_slot = create_availability(session, volunteer=me_as_volunteer)
    accounts = {
        Role.ADMIN: create_account(session, role=Role.ADMIN),
        Role.COORDINATOR: create_account(session, role=Role.COORDINATOR, stations=(home,)),
        Role.MANAGER: create_account(session, role=Role.MANAGER, stations=(home,)),
        Role.VOLUNTEER: create_account(session, role=Role.VOLUNTEER, volunteer=me_as_volunteer),
    }
    colleague = mine["volunteer"]
    target_user = create_user(session, role=Role.MANAGER, stations=(home,))
    other_user = create_user(session, role=Role.MANAGER, stations=(away,))
    own = {
        "stations": ident(home),
        "sites": ident(mine["site"]),
        "clients": ident(mine["client"]),
        "volunteers": ident(colleague),
        "availability": ident(mine["availability"]),
        "schedules": ident(mine["schedule"]),
        "closures": ident(mine["closure"]),
        "menus": ident(mine["menu"]),
        "users": ident(target_user),
        "volunteers:self": ident(me_as_volunteer),
        "availability:self": ident(my_slot),
    }
    other = {
        "stations": ident(away),
        "sites": ident(theirs["site"]),
        "clients": ident(theirs["client"]),
        "volunteers": ident(theirs["volunteer"]),
        "availability": ident(theirs["availability"]),
        "schedules": ident(theirs["schedule"]),
        "closures": ident(theirs["closure"]),
        "menus": ident(theirs["menu"]),
        "users": ident(other_user),
    }
    create_bodies: dict[str, dict[str, Any]] = {
        "stations": {"name": "新站", "code": "new-station"},
        "sites": {"station_id": ident(home), "name": "新食堂", "kind": "kitchen"},
        "clients": {"station_id": ident(home), "name": "新客户", "lat": 32.05, "lon": 118.78},
        "volunteers": {"station_id": ident(home), "name": "新志愿者", "lat": 32.05, "lon": 118.78},
        "availability": {
            "volunteer_id": ident(colleague),
            "kind": "weekly",
            "weekday": 2,
            "start_time": "10:00",
            "end_time": "12:00",
        },
        "schedules": {
            "client_id": ident(mine["client"]),
            "kind": "visit",
            "recurrence": "once",
            "start_date": "2026-12-03",
        },
        "closures": {
            "station_id": ident(home),
            "date_from": "2027-01-04",
            "date_to": "2027-01-05",
            "reason": "培训",
        },
        "menus": {
            "site_id": ident(mine["site"]),
            "service_date": "2026-11-25",
            "diet": "diabetic",
            "dish": "清蒸鱼",
            "allergens": ["鱼"],
        },
        "users": {
            "username": "newcoord",
            "display_name": "新协调员",
            "role": "coordinator",
            "password": "a long enough password",
            "station_ids": [ident(home)],
        },
    }
    update_bodies = {
        "stations": {"address": "新地址"},
        "sites": {"notes": "改"},
        "clients": {"notes": "改"},
        "volunteers": {"notes": "改"},
        "availability": {"note": "改"},
        "schedules": {"notes": "改"},
        "closures": {"reason": "改"},
        "menus": {"dish": "改"},
        "users": {"display_name": "改名"},
    }
    return World(accounts, own, other, create_bodies, update_bodies, str(colleague.phone))


def _expected(rights: str, operation: str, resource: str, role: Role) -> set[int]:
    reads = "r" in rights
    if operation == "list":
        return {200} if reads or "o" in rights else {403}
    if operation == "get":
        if "o" in rights:
            return {404}  # a colleague's record: not theirs to see
        return {200} if reads else {403}
    if operation == "get_other":
        if role is Role.ADMIN:
            return {200}
        return {404} if reads or "o" in rights else {403}
    if operation == "update":
        return {200} if "w" in rights or "u" in rights else {403}
    if operation == "create":
        return {201} if "w" in rights else {403}
    if operation == "delete":
        return {204, 409} if "w" in rights else {403}  # 409 where history refers to it
    return {200} if "w" in rights else {403}  # archive, restore


def _call(
    api: httpx.Client, world: World, account: Account, resource: str, operation: str
) -> httpx.Response:
    base = f"/api/{resource}"
    own, other = world.own[resource], world.other[resource]
    headers = account.headers
    if operation == "list":
        return api.get(base, headers=headers)
    if operation == "get":
        return api.get(f"{base}/{own}", headers=headers)
    if operation == "get_other":
        return api.get(f"{base}/{other}", headers=headers)
    if operation == "create":
        return api.post(base, headers=headers, json=world.create_bodies[resource])
    if operation == "update":
        return api.patch(f"{base}/{own}", headers=headers, json=world.update_bodies[resource])
    if operation == "delete":
        return api.delete(f"{base}/{own}", headers=headers)
    if resource == "users" and operation == "restore":
        return api.post(f"{base}/{own}/archive", headers=headers)  # accounts are not restored
    return api.post(f"{base}/{own}/{operation}", headers=headers)


@pytest.mark.parametrize("role", list(Role))
def test_access_matrix(api: httpx.Client, world: World, role: Role) -> None:
    account = world.accounts[role]
    wrong = []
    for resource, rights in RIGHTS.items():
        for operation in OPERATIONS:
            if resource == "users" and operation == "delete":
                continue  # accounts are archived, never deleted
            response = _call(api, world, account, resource, operation)
            expected = _expected(rights[role], operation, resource, role)
            if response.status_code not in expected:
                wrong.append(f"{resource} {operation}: {response.status_code} not in {expected}")
    assert wrong == []


def test_volunteer_reads_their_own_record_and_nothing_private(
    api: httpx.Client, world: World
) -> None:
    volunteer = world.accounts[Role.VOLUNTEER]
    seen: list[str] = []
    for path in (
        "/api/volunteers",
        f"/api/volunteers/{world.own['volunteers:self']}",
        "/api/availability",
        f"/api/availability/{world.own['availability:self']}",
        "/api/stations",
        "/api/sites",
        "/api/auth/me",
    ):
        response = api.get(path, headers=volunteer.headers)
        assert response.status_code == 200, path
        seen.append(response.text)

    listed = api.get("/api/volunteers", headers=volunteer.headers).json()
    assert [v["id"] for v in listed["items"]] == [world.own["volunteers:self"]]
    slots = api.get("/api/availability", headers=volunteer.headers).json()
    assert [s["id"] for s in slots["items"]] == [world.own["availability:self"]]
    everything = "".join(seen)
    for field in PRIVATE_FIELDS:
        assert field not in everything
    assert world.volunteer_phone_of_colleague not in everything


def test_requests_without_login_are_refused(api: httpx.Client, world: World) -> None:
    for resource in RIGHTS:
        response = api.get(f"/api/{resource}")
        assert response.status_code == 401, resource
        assert response.headers["www-authenticate"] == "Bearer"
