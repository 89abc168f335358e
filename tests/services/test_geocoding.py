"""Geocoding through geopy's real Nominatim client, against a local stand-in server."""

import time

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.geocoding.service import to_wgs84
from models import Client
from models.enums import Datum, GeocodeStatus, Role
from tests.builders.accounts import Account, create_account
from tests.builders.records import create_station, ident
from tests.stub_nominatim import FAILING_ADDRESS, StubNominatim


@pytest.fixture
def coordinator(session: Session) -> Account:
    return create_account(session, role=Role.COORDINATOR, stations=(create_station(session),))


def _create(api: httpx.Client, account: Account, **fields: object) -> dict[str, object]:
    station_id = api.get("/api/auth/me", headers=account.headers).json()["station_ids"][0]
    response = api.post(
        "/api/clients",
        headers=account.headers,
        json={"station_id": station_id, "name": "王"} | fields,
    )
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_an_address_is_geocoded_once_and_then_served_from_the_cache(
    api: httpx.Client, coordinator: Account, nominatim: StubNominatim
) -> None:
    asked_before = len(nominatim.queries)

    first = _create(api, coordinator, address="南京市汉中路89号")
    second = _create(api, coordinator, address="  南京市汉中路89号 ")

    assert (first["lat"], first["lon"]) == (32.0418, 118.7702)
    assert (first["geocode_status"], first["geocode_source"]) == ("ok", "nominatim")
    assert (second["lat"], second["lon"]) == (32.0418, 118.7702)
    assert nominatim.queries[asked_before:] == ["南京市汉中路89号"]


def test_an_unknown_address_keeps_the_record_and_needs_a_location(
    api: httpx.Client, coordinator: Account, nominatim: StubNominatim
) -> None:
    client = _create(api, coordinator, address="南京市不存在路999号")

    assert client["geocode_status"] == "needs_location"
    assert client["lat"] is None
    needing = api.get(
        "/api/clients", headers=coordinator.headers, params={"geocode_status": "needs_location"}
    ).json()
    assert [c["id"] for c in needing["items"]] == [client["id"]]
    # The coordinator places it by hand.
    fixed = api.patch(
        f"/api/clients/{client['id']}",
        headers=coordinator.headers,
        json={"lat": 32.045, "lon": 118.779},
    ).json()
    assert (fixed["geocode_status"], fixed["lat"]) == ("manual", 32.045)


def test_a_provider_failure_is_not_cached(
    api: httpx.Client, coordinator: Account, nominatim: StubNominatim
) -> None:
    asked_before = len(nominatim.queries)

    first = _create(api, coordinator, address=f"南京市{FAILING_ADDRESS}")
    second = _create(api, coordinator, address=f"南京市{FAILING_ADDRESS}")

    assert first["geocode_status"] == second["geocode_status"] == "needs_location"
    # geopy retries once per call; both calls reached the server: nothing was cached
    assert len(nominatim.queries) - asked_before >= 2


def test_given_coordinates_skip_geocoding_and_chinese_datums_are_converted(
    api: httpx.Client, coordinator: Account, nominatim: StubNominatim
) -> None:
    asked_before = len(nominatim.queries)

    client = _create(
        api, coordinator, address="南京市汉中路89号", lat=32.0434, lon=118.7889, source_datum="bd09"
    )

    assert nominatim.queries[asked_before:] == []
    expected = to_wgs84(32.0434, 118.7889, Datum.BD09)
    assert (client["lat"], client["lon"]) == pytest.approx(expected)
    assert client["source_datum"] == "bd09"
    assert client["geocode_status"] == "manual"


def test_wgs84_conversion_round_trips_with_the_chinese_datums() -> None:
    import prcoords

    lat, lon = 32.0418, 118.7702  # WGS-84, in Nanjing
    gcj = prcoords.wgs_gcj((lat, lon))
    bd = prcoords.gcj_bd(gcj)
    assert to_wgs84(gcj.lat, gcj.lon, Datum.GCJ02) == pytest.approx((lat, lon), abs=1e-6)
    assert to_wgs84(bd.lat, bd.lon, Datum.BD09) == pytest.approx((lat, lon), abs=1e-6)
    assert to_wgs84(lat, lon, Datum.WGS84) == (lat, lon)


def test_imported_addresses_are_geocoded_in_the_background(
    api: httpx.Client, coordinator: Account, engine: Engine
) -> None:
    station_id = api.get("/api/auth/me", headers=coordinator.headers).json()["station_ids"][0]
    content = "姓名,电话,地址\n钱玉兰,13600001111,南京市华侨路56号\n孙德明,13600002222,无此地址\n"

    response = api.post(
        "/api/import/clients",
        headers=coordinator.headers,
        params={"station_id": station_id},
        files={"file": ("x.csv", content.encode())},
    )

    assert response.json()["pending_geocoding"] == 2
    deadline = time.monotonic() + 10
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        with Session(engine) as observer:
            statuses = {c.name: c.geocode_status for c in observer.exec(select(Client)).all()}
        if GeocodeStatus.PENDING not in statuses.values():
            break
        time.sleep(0.05)
    assert statuses == {"钱玉兰": "ok", "孙德明": "needs_location"}


def test_client_station_is_checked_before_geocoding(api: httpx.Client, session: Session) -> None:
    other = create_station(session)
    coordinator = create_account(
        session, role=Role.COORDINATOR, stations=(create_station(session),)
    )

    response = api.post(
        "/api/clients",
        headers=coordinator.headers,
        json={"station_id": ident(other), "name": "王", "address": "南京市汉中路89号"},
    )

    assert response.status_code == 404
