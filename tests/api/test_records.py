"""The record endpoints every feature shares: create, read, search, update, archive, delete."""

from datetime import time

import httpx
import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, Client, Station
from models.enums import Role, SiteKind
from tests.builders.accounts import Account, create_account
from tests.builders.records import (
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)


@pytest.fixture
def station(session: Session) -> Station:
    return create_station(session)


@pytest.fixture
def coordinator(session: Session, station: Station) -> Account:
    return create_account(session, role=Role.COORDINATOR, stations=(station,))


def test_client_lifecycle_create_update_archive_restore(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    created = api.post(
        "/api/clients",
        headers=coordinator.headers,
        json={
            "station_id": ident(station),
            "name": "王秀英",
            "phone": "139 1234 5678",
            "lat": 32.0462,
            "lon": 118.7748,
            "diet": "diabetic",
            "preferred_window_start": "11:00",
            "preferred_window_end": "12:30",
        },
    )
    assert created.status_code == 201, created.text
    client = created.json()
    assert client["phone"] == "13912345678"
    assert client["geocode_status"] == "manual"

    updated = api.patch(
        f"/api/clients/{client['id']}", headers=coordinator.headers, json={"floor": 5}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["floor"] == 5
    assert updated.json()["diet"] == "diabetic"  # fields not sent stay as they were

    archived = api.post(f"/api/clients/{client['id']}/archive", headers=coordinator.headers)
    assert archived.json()["archived_at"] is not None
    listed = api.get("/api/clients", headers=coordinator.headers).json()
    assert listed["total"] == 0
    with_archived = api.get(
        "/api/clients", headers=coordinator.headers, params={"include_archived": True}
    ).json()
    assert [c["id"] for c in with_archived["items"]] == [client["id"]]
    restored = api.post(f"/api/clients/{client['id']}/restore", headers=coordinator.headers)
    assert restored.json()["archived_at"] is None

    actions = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.entity) == "client", col(AuditEvent.entity_id) == client["id"])
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions == ["create", "update", "archive", "restore"]
    update_event = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "update")).one()
    assert update_event.changes["floor"] == [None, 5]
    assert update_event.actor_user_id == coordinator.user.id
    assert update_event.interface == "api"


def test_update_is_validated_against_the_stored_record(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    client = create_client(
        session,
        station=station,
        preferred_window_start=time(11, 0),
        preferred_window_end=time(12, 0),
    )

    response = api.patch(
        f"/api/clients/{ident(client)}",
        headers=coordinator.headers,
        json={"preferred_window_start": "12:30"},
    )

    assert response.status_code == 422
    assert "not after its start" in response.text
    session.refresh(client)
    assert client.preferred_window_start == time(11, 0)


def test_delete_refuses_a_client_with_history(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    with_history = create_client(session, station=station, name="有记录")
    create_schedule(session, client=with_history, site=create_site(session, station=station))
    mistake = create_client(session, station=station, name="录错了")

    refused = api.delete(f"/api/clients/{ident(with_history)}", headers=coordinator.headers)
    deleted = api.delete(f"/api/clients/{ident(mistake)}", headers=coordinator.headers)

    assert refused.status_code == 409
    assert refused.json()["code"] == "has_history"
    assert "archive it instead" in refused.json()["detail"]
    assert deleted.status_code == 204
    assert api.get(f"/api/clients/{ident(with_history)}", headers=coordinator.headers).is_success
    assert api.get(f"/api/clients/{ident(mistake)}", headers=coordinator.headers).status_code == 404


def test_lists_are_paginated_and_searchable_by_name_and_phone(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    for n in range(7):
        create_volunteer(session, station=station, name=f"志愿者{n}", phone=f"1860000000{n}")
    create_volunteer(session, station=station, name="李华", phone="13311112222")

    first = api.get("/api/volunteers", headers=coordinator.headers, params={"page_size": 3}).json()
    third = api.get(
        "/api/volunteers", headers=coordinator.headers, params={"page_size": 3, "page": 3}
    ).json()
    by_name = api.get("/api/volunteers", headers=coordinator.headers, params={"q": "李华"}).json()
    by_phone = api.get("/api/volunteers", headers=coordinator.headers, params={"q": "1111"}).json()

    assert (first["total"], len(first["items"]), len(third["items"])) == (8, 3, 2)
    assert [v["name"] for v in by_name["items"]] == ["李华"]
    assert [v["phone"] for v in by_phone["items"]] == ["13311112222"]


def test_unknown_volunteer_in_preferences_is_refused(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    other_station = create_station(session)
    stranger = create_volunteer(session, station=other_station)

    response = api.post(
        "/api/clients",
        headers=coordinator.headers,
        json={
            "station_id": ident(station),
            "name": "赵桂兰",
            "lat": 32.04,
            "lon": 118.78,
            "preferred_volunteer_ids": [ident(stranger)],
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "preferred_volunteer_ids"]
    assert api.get("/api/clients", headers=coordinator.headers).json()["total"] == 0


def test_schedule_must_pick_up_meals_at_a_kitchen(
    api: httpx.Client, coordinator: Account, session: Session, station: Station
) -> None:
    client = create_client(session, station=station)
    pharmacy = create_site(session, station=station, kind=SiteKind.PHARMACY)

    response = api.post(
        "/api/schedules",
        headers=coordinator.headers,
        json={
            "client_id": ident(client),
            "kind": "meal",
            "site_id": ident(pharmacy),
            "recurrence": "weekly",
            "weekdays": [0, 2, 4],
            "start_date": "2026-12-01",
            "window_start": "11:00",
            "window_end": "12:30",
        },
    )

    assert response.status_code == 422
    assert "picked up at a kitchen" in response.text


def test_a_manager_reads_a_client_file_without_its_private_notes(
    api: httpx.Client, session: Session
) -> None:
    """Emergency contacts and health notes are for the coordinators who act on them; the
    alerts already hid them from managers, and so does the client file (list, record, page)."""
    station = create_station(session)
    client = create_client(session, station=station, health_notes="心脏病，备有速效救心丸")
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    url = f"/api/clients/{ident(client)}"

    full = api.get(url, headers=coordinator.headers).json()
    assert full["emergency_contact_phone"] == "13800000001"
    assert full["health_notes"] == "心脏病，备有速效救心丸"
    read = api.get(url, headers=manager.headers).json()
    assert (read["name"], read["address"]) == (full["name"], full["address"])
    assert read["emergency_contact_phone"] is None
    assert read["emergency_contact_name"] == read["health_notes"] == ""
    [listed] = api.get("/api/clients", headers=manager.headers).json()["items"]
    assert listed["emergency_contact_phone"] is None
    assert listed["health_notes"] == ""
    session.expire_all()
    assert session.get(Client, ident(client)).health_notes  # type: ignore[union-attr]

    granted = api.patch(
        f"/api/stations/{ident(station)}",
        json={"managers_see_private_notes": True},
        headers=coordinator.headers,
    )
    assert granted.status_code == 200, granted.text
    read = api.get(url, headers=manager.headers).json()
    assert (read["emergency_contact_phone"], read["health_notes"]) == (
        "13800000001",
        "心脏病，备有速效救心丸",
    )  # the station grants it: the same in the API and on the page (one service)
