"""The station's settings page: holidays, proof of delivery and the no-answer ladder, saved
through the station service; a bad ladder is refused with the reason and changes nothing."""

import re
from urllib.parse import unquote

import httpx
from sqlmodel import Session

from models import Station
from models.enums import Role
from tests.builders.accounts import create_account, create_user, sign_in
from tests.builders.records import create_station, create_volunteer, ident


def test_a_coordinator_sets_proof_of_delivery_and_the_ladder(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    page = api.get(url).text
    assert "致电紧急联系人" in page  # the ladder's steps, in the station's language

    saved = api.post(
        url,
        data={"proof_of_delivery": "on", "emergency_services": "60", "call_client": "5"},
    )
    assert saved.status_code == 303
    assert "message" not in saved.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert row.proof_of_delivery is True
    assert row.observes_public_holidays is False  # unticked
    assert [(r.step.value, r.due_minutes) for r in row.alert_ladder] == [
        ("call_client", 5),
        ("emergency_services", 60),
    ]

    refused = api.post(url, data={"call_client": "-3"})
    assert "message=" in refused.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert len(row.alert_ladder) == 2  # nothing changed


def test_a_coordinator_sets_the_hot_meal_limit_within_sensible_bounds(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    assert 'name="hot_meal_minutes" min="10" max="240" required value="45"' in api.get(url).text

    saved = api.post(url, data={"hot_meal_minutes": "30", "call_client": "10"})
    assert "message" not in saved.headers["location"]
    refused = api.post(url, data={"hot_meal_minutes": "5", "call_client": "10"})
    assert "热餐送达时限（分钟）：不能小于 10" in unquote(refused.headers["location"])
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert row.hot_meal_minutes == 30


def test_only_whom_may_change_the_settings_gets_their_form(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    url = f"/stations/{ident(station)}/settings"
    person = create_volunteer(session, station=station)
    for reader in (
        create_account(session, role=Role.VOLUNTEER, volunteer=person).user,
        create_user(session, role=Role.MANAGER, stations=(station,)),
    ):
        api.cookies.clear()
        sign_in(api, reader.username)
        assert api.get(url).status_code == 403


def test_a_coordinator_chooses_whom_each_step_tells_and_the_stations_phone(
    api: httpx.Client, session: Session
) -> None:
    """The ladder as a table, a row a step: its minutes and whom it tells, ticked; a step
    not used yet is offered with the people it usually tells. The station's phone, given to
    families in their messages, is kept here too."""
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    page = api.get(url).text
    ticked = re.findall(r'name="notify_(\w+)" value="(\w+)" checked', page)
    assert ("emergency_services", "managers") in ticked  # the default ladder's usual people
    assert ("call_client", "managers") not in ticked

    saved = api.post(
        url,
        data={
            "name": "华侨路社工站",
            "phone": "025-84561234",
            "address": "南京市华侨路1号",
            "hot_meal_minutes": "45",
            "call_client": "10",
            "notify_call_client": ["on_duty", "station_chat"],
            "social_worker_visit": "60",
            "notify_social_worker_visit": ["coordinators", "managers"],
        },
    )
    assert saved.status_code == 303
    assert "message" not in saved.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert (row.name, row.phone, row.address) == ("华侨路社工站", "02584561234", "南京市华侨路1号")
    assert [(r.step.value, [w.value for w in r.notify]) for r in row.alert_ladder] == [
        ("call_client", ["on_duty", "station_chat"]),
        ("social_worker_visit", ["coordinators", "managers"]),
    ]
    again = api.get(url).text
    ticked = re.findall(r'name="notify_(\w+)" value="(\w+)" checked', again)
    assert ("call_client", "station_chat") in ticked
    assert ("social_worker_visit", "on_duty") not in ticked
    assert ("emergency_services", "managers") in ticked  # not used: offered as usual

    refused = api.post(url, data={"name": "", "call_client": "10"})
    assert "message=" in refused.headers["location"]
    session.expire_all()
    assert session.get(Station, ident(station)).name == "华侨路社工站"  # type: ignore[union-attr]


def test_a_coordinator_sets_where_the_station_is_its_time_zone_and_language(
    api: httpx.Client, session: Session
) -> None:
    """Place, time zone and language were set through the API only. A time zone that is not
    one is refused with its reason, as is a latitude without its longitude; nothing is kept.
    The station's language is its coordinators' too, on every page."""
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    page = api.get(url).text
    assert 'name="timezone" maxlength="64" required list="timezones" value="Asia/Shanghai"' in page
    assert '<option value="Asia/Urumqi">' in page
    assert '<option value="zh-CN" selected>' in page

    saved = api.post(
        url,
        data={
            "lat": "32.0415",
            "lon": "118.7781",
            "timezone": "Asia/Urumqi",
            "locale": "en",
            "call_client": "10",
        },
    )
    assert "message" not in saved.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert (row.lat, row.lon, row.timezone, row.locale) == (32.0415, 118.7781, "Asia/Urumqi", "en")
    again = api.get(url).text
    assert "Place, time and language" in again  # the station's pages now in English
    assert 'value="32.0415"' in again
    # So are the pages of no one station (the records, the audit trail), and what an action
    # refused says, unless the reader chose a language of their own.
    assert "<title>Clients · CareRoute</title>" in api.get("/records/clients").text

    for bad, said in (
        ({"timezone": "Nanjing"}, "“Nanjing” is not an IANA time zone"),
        ({"lat": "31.5", "lon": ""}, "latitude and longitude must be given together"),
    ):
        refused = api.post(url, data={**bad, "call_client": "10"})
        assert said in unquote(refused.headers["location"])
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert (row.lat, row.timezone) == (32.0415, "Asia/Urumqi")
