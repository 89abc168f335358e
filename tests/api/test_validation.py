"""Bad input gets a 422 naming the field, and nothing is saved."""

import json
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import Account, create_account
from tests.builders.records import create_client, create_station, create_volunteer, ident


@pytest.fixture
def admin(session: Session) -> Account:
    return create_account(session, role=Role.ADMIN)


def _ids(session: Session) -> dict[str, int]:
    station = create_station(session)
    return {
        "station": ident(station),
        "client": ident(create_client(session, station=station)),
        "volunteer": ident(create_volunteer(session, station=station)),
    }


# (endpoint, body builder, the field the error must name, or "" for a whole-record rule)
CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "username",
        "users",
        {
            "username": "bad name!",
            "display_name": "x",
            "role": "admin",
            "password": "long enough pw",
        },
        "username",
        "pattern",
    ),
    (
        "volunteer account without volunteer",
        "users",
        {"username": "vol", "display_name": "x", "role": "volunteer", "password": "long enough pw"},
        "",
        "linked to a volunteer",
    ),
    ("station code", "stations", {"name": "站", "code": "Has Spaces"}, "code", ""),
    (
        "station time zone",
        "stations",
        {"name": "站", "code": "ok-code", "timezone": "Mars/Base"},
        "timezone",
        "IANA",
    ),
    (
        "station latitude",
        "stations",
        {"name": "站", "code": "ok-code", "lat": 132.0, "lon": 118.0},
        "lat",
        "",
    ),
    (
        "site kind",
        "sites",
        {"station_id": "{station}", "name": "厨房", "kind": "bakery"},
        "kind",
        "",
    ),
    (
        "site opening hours",
        "sites",
        {
            "station_id": "{station}",
            "name": "厨房",
            "kind": "kitchen",
            "opening_hours": [{"weekday": 1, "opens": "14:00", "closes": "10:00"}],
        },
        "opening_hours",
        "not after its start",
    ),
    ("client blank name", "clients", {"station_id": "{station}", "name": "   "}, "name", "blank"),
    (
        "client phone",
        "clients",
        {"station_id": "{station}", "name": "王", "phone": "12345"},
        "phone",
        "not a phone number",
    ),
    (
        "client null island",
        "clients",
        {"station_id": "{station}", "name": "王", "lat": 0, "lon": 0},
        "",
        "0, 0",
    ),
    (
        "client half coordinates",
        "clients",
        {"station_id": "{station}", "name": "王", "lat": 32.0},
        "",
        "together",
    ),
    (
        "client diet",
        "clients",
        {"station_id": "{station}", "name": "王", "diet": "pizza"},
        "diet",
        "",
    ),
    (
        "client window",
        "clients",
        {
            "station_id": "{station}",
            "name": "王",
            "preferred_window_start": "13:00",
            "preferred_window_end": "11:00",
        },
        "",
        "not after its start",
    ),
    (
        "volunteer travel mode",
        "volunteers",
        {"station_id": "{station}", "name": "张", "travel_mode": "rocket"},
        "travel_mode",
        "",
    ),
    (
        "volunteer capacity",
        "volunteers",
        {"station_id": "{station}", "name": "张", "capacity_meals": -1},
        "capacity_meals",
        "",
    ),
    (
        "availability weekday",
        "availability",
        {
            "volunteer_id": "{volunteer}",
            "kind": "weekly",
            "start_time": "10:00",
            "end_time": "12:00",
        },
        "",
        "weekday",
    ),
    (
        "a time with an offset",  # times of day are the station's: one way, documented
        "availability",
        {
            "volunteer_id": "{volunteer}",
            "kind": "weekly",
            "weekday": 1,
            "start_time": "09:00:00Z",
            "end_time": "12:00+08:00",
        },
        "start_time",
        "time zone",
    ),
    (
        "availability leave order",
        "availability",
        {
            "volunteer_id": "{volunteer}",
            "kind": "leave",
            "date_from": "2026-12-10",
            "date_to": "2026-12-01",
        },
        "",
        "ends before",
    ),
    (
        "schedule window too short",
        "schedules",
        {
            "client_id": "{client}",
            "kind": "visit",
            "recurrence": "once",
            "start_date": "2026-12-01",
            "window_start": "14:00",
            "window_end": "14:10",
            "service_minutes": 30,
        },
        "",
        "shorter than",
    ),
    (
        "schedule no weekdays",
        "schedules",
        {
            "client_id": "{client}",
            "kind": "visit",
            "recurrence": "weekly",
            "start_date": "2026-12-01",
        },
        "",
        "weekday",
    ),
    (
        "schedule meal without site",
        "schedules",
        {"client_id": "{client}", "kind": "meal", "recurrence": "once", "start_date": "2026-12-01"},
        "",
        "site",
    ),
    (
        "schedule end before start",
        "schedules",
        {
            "client_id": "{client}",
            "kind": "visit",
            "recurrence": "weekly",
            "weekdays": [1],
            "start_date": "2026-12-01",
            "end_date": "2026-11-01",
        },
        "",
        "before it starts",
    ),
]


@pytest.mark.parametrize(
    ("endpoint", "body", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_invalid_records_are_refused_with_field_messages(
    api: httpx.Client,
    session: Session,
    admin: Account,
    endpoint: str,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    ids = _ids(session)
    filled = {
        k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v
        for k, v in body.items()
    }
    before = api.get(f"/api/{endpoint}", headers=admin.headers).json()["total"]

    response = api.post(f"/api/{endpoint}", headers=admin.headers, json=filled)

    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    locations = [tuple(e["loc"]) for e in errors]
    expected_loc = ("body", field) if field else ("body",)
    assert any(loc[: len(expected_loc)] == expected_loc for loc in locations), locations
    assert message in " ".join(e["msg"] for e in errors)
    assert api.get(f"/api/{endpoint}", headers=admin.headers).json()["total"] == before


def test_unknown_record_answers_404_with_a_sentence(api: httpx.Client, admin: Account) -> None:
    response = api.get("/api/volunteers/987654", headers=admin.headers)

    assert response.status_code == 404
    assert response.json() == {"detail": "volunteer 987654 was not found", "code": "not_found"}


def test_schedule_for_an_unknown_client_is_404(api: httpx.Client, admin: Account) -> None:
    response = api.post(
        "/api/schedules",
        headers=admin.headers,
        json={
            "client_id": 424242,
            "kind": "visit",
            "recurrence": "once",
            "start_date": "2026-12-01",
        },
    )

    assert response.status_code == 404
    assert "client 424242" in response.json()["detail"]


def test_duplicate_station_code_is_a_conflict(api: httpx.Client, admin: Account) -> None:
    body = {"name": "一站", "code": "same-code"}
    assert api.post("/api/stations", headers=admin.headers, json=body).status_code == 201
    again = api.post("/api/stations", headers=admin.headers, json=body | {"name": "二站"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "params",
    [{"page_size": 0}, {"page_size": -1}, {"page_size": 10**8}, {"page": 0}, {"page": -1}],
    ids=str,
)
def test_a_page_out_of_bounds_is_refused_not_moved(
    api: httpx.Client, admin: Account, params: dict[str, int]
) -> None:
    answer = api.get("/api/clients", params=params, headers=admin.headers)
    assert answer.status_code == 422, answer.text
    assert next(iter(params)) in answer.text


def test_a_change_to_a_field_a_record_does_not_have_or_may_not_change_is_refused(
    api: httpx.Client, admin: Account, session: Session
) -> None:
    station = create_station(session)
    client = create_client(session, station=station)
    url = f"/api/clients/{ident(client)}"
    for body in ({"favourite_colour": "blue"}, {"station_id": ident(create_station(session))}):
        answer = api.patch(url, json=body, headers=admin.headers)
        assert answer.status_code == 422, body
    assert api.get(url, headers=admin.headers).json()["station_id"] == ident(station)
    assert api.patch(url, json={"floor": 3}, headers=admin.headers).status_code == 200


@pytest.mark.parametrize("record_id", [2**31, 2**63, 10**30], ids=str)
def test_an_id_past_the_databases_range_is_an_input_error_not_a_server_error(
    api: httpx.Client, admin: Account, record_id: int
) -> None:
    answer = api.get(f"/api/clients/{record_id}", headers=admin.headers)
    assert answer.status_code in (404, 422), answer.text  # never a server error


def test_a_nul_character_anywhere_is_refused_the_same_on_both_databases(
    api: httpx.Client, admin: Account, session: Session
) -> None:
    client = create_client(session, station=create_station(session), access_notes="敲门")
    url = f"/api/clients/{ident(client)}"
    for answer in (
        api.patch(url, json={"access_notes": "门\x00口"}, headers=admin.headers),
        api.patch(url, json={"allergies": ["花生\x00"]}, headers=admin.headers),
        api.get("/api/clients", params={"search": "王\x00"}, headers=admin.headers),
        api.get(f"{url}%00", headers=admin.headers),
    ):
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_input"
    assert api.get(url, headers=admin.headers).json()["access_notes"] == "敲门"


def test_a_nul_in_json_is_found_in_any_encoding_and_only_where_it_is_one(
    api: httpx.Client, admin: Account, session: Session
) -> None:
    client = create_client(session, station=create_station(session), access_notes="敲门")
    url = f"/api/clients/{ident(client)}"
    json_text = {**admin.headers, "Content-Type": "application/json"}
    in_utf16 = json.dumps({"access_notes": "门\x00口"}).encode("utf-16")
    answer = api.patch(url, content=in_utf16, headers=json_text)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_input"
    # A backslash before "u0000" is text, not a NUL.
    answer = api.patch(url, content=b'{"access_notes": "C:\\\\u0000"}', headers=json_text)
    assert answer.status_code == 200, answer.text
    assert answer.json()["access_notes"] == "C:\\u0000"


def test_a_body_past_the_size_limit_is_refused_before_it_is_read(
    api: httpx.Client, admin: Account, session: Session
) -> None:
    client = create_client(session, station=create_station(session), access_notes="敲门")
    url = f"/api/clients/{ident(client)}"
    huge = "门" * 4_000_000  # 12 MB of UTF-8, past the default 10 MB
    answer = api.patch(url, json={"access_notes": huge}, headers=admin.headers)
    assert answer.status_code == 413
    assert "10 MB" in answer.json()["detail"]
    assert api.get(url, headers=admin.headers).json()["access_notes"] == "敲门"
