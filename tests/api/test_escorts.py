"""Escorts to a group activity, planned with the day's rounds: fetched at home and walked to
the venue before it starts, fetched at the venue after it and seen home; on foot or by car,
never on a bicycle; on the volunteer's phone, the paper sheet and the day page."""

from datetime import time as clock
from typing import Any

import httpx
from sqlmodel import Session

from models import Station
from models.enums import Role, SiteKind, TravelMode
from tests.builders.accounts import browser, create_account
from tests.builders.days import DAY, outcome, planned, published, record_outcome
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)
from tests.conftest import RunningServer


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def _invite(
    api: httpx.Client, headers: dict[str, str], station: Station, activity: int, client: int
) -> dict[str, Any]:
    answer = api.post(
        "/api/invitations",
        json={
            "station_id": ident(station),
            "activity_id": activity,
            "client_id": client,
            "needs_escort": True,
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    invitation: dict[str, Any] = answer.json()
    return invitation


def test_escorts_are_planned_with_the_rounds_and_shown_to_the_volunteer(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    station = create_station(session)
    kitchen = create_site(session, station=station)
    hall = create_site(
        session, station=station, kind=SiteKind.VENUE, name="社区活动室", lat=32.0500, lon=118.7790
    )
    elders = [
        create_client(session, station=station, name=f"老人{n}", lat=32.044 + n / 400)
        for n in range(4)
    ]
    for elder in elders:
        create_schedule(session, client=elder, site=kitchen)
    walker = create_volunteer(session, station=station, name="步行志愿者")
    rider = create_volunteer(
        session, station=station, name="骑车志愿者", travel_mode=TravelMode.BICYCLE
    )
    for person in (walker, rider):
        create_availability(
            session, volunteer=person, weekday=1, start_time=clock(10), end_time=clock(18)
        )
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    phone_account = create_account(session, role=Role.VOLUNTEER, volunteer=walker)
    session.commit()
    made = api.post(
        "/api/activities",
        json={
            "station_id": ident(station),
            "title": "重阳茶话会",
            "service_date": DAY,
            "start_time": "14:30",
            "end_time": "16:00",
            "site_id": ident(hall),
        },
        headers=boss.headers,
    )
    assert made.status_code == 201, made.text
    activity = made.json()["id"]
    escorted = _invite(api, boss.headers, station, activity, ident(elders[0]))
    later_alone = _invite(api, boss.headers, station, activity, ident(elders[1]))
    day = f"/api/stations/{ident(station)}/days/{DAY}"

    # Each client needing an escort brings two tasks: there, and back home.
    work = api.post(f"{day}/generate", headers=boss.headers).json()
    escorts = [t for t in work["tasks"] if t["kind"].startswith("escort")]
    assert sorted((t["client_id"], t["kind"]) for t in escorts) == sorted(
        (ident(e), k) for e in elders[:2] for k in ("escort_there", "escort_back")
    )
    there = next(t for t in escorts if t["kind"] == "escort_there")
    assert (there["window_start"], there["window_end"]) == ("13:30:00", "14:20:00")
    assert all(t["site_id"] == ident(hall) for t in escorts)

    # One of them will come alone after all: their escorts are cancelled, with the reason.
    patched = api.patch(
        f"/api/invitations/{later_alone['id']}", json={"needs_escort": False}, headers=boss.headers
    )
    assert patched.status_code == 200, patched.text
    again = api.post(f"{day}/generate", headers=boss.headers).json()
    assert again["cancelled"] == 2
    dropped = [t for t in again["tasks"] if t["client_id"] == ident(elders[1])]
    assert {t["status"] for t in dropped if t["kind"].startswith("escort")} == {"cancelled"}
    assert {t["status_reason"] for t in dropped if t["kind"].startswith("escort")} == {
        "no escort needed any more"
    }

    plan = published(api, planned(api, day, boss.headers), boss.headers)
    assert plan["unplanned"] == [], plan["unplanned"]
    routes = {route["volunteer_id"]: route["stops"] for route in plan["routes"]}
    stops = routes[ident(walker)]
    legs = [s for s in stops if s["client_id"] == ident(elders[0]) and s["service"] != "meal"]
    assert all(
        s["client_id"] != ident(elders[0]) or s["service"] == "meal"
        for s in routes.get(ident(rider), [])
    ), "an elder is not taken along on a bicycle"
    # There: at their door first, then at the venue before it starts, within the ride limit.
    (home, venue) = [s for s in legs if s["service"] == "escort_there"]
    assert (home["kind"], venue["kind"]) == ("door", "pickup")
    assert home["place"] == elders[0].address
    assert venue["place"] == "社区活动室"
    assert _minutes("13:30") <= _minutes(home["start"]) <= _minutes("14:20")
    assert _minutes("14:00") <= _minutes(venue["start"]) <= _minutes("14:30")
    assert _minutes(venue["start"]) - _minutes(home["start"]) <= 30
    # Back: at the venue after it ends, then at their door.
    (venue_back, home_back) = [s for s in legs if s["service"] == "escort_back"]
    assert (venue_back["kind"], home_back["kind"]) == ("pickup", "door")
    assert _minutes("16:00") <= _minutes(venue_back["start"]) <= _minutes("16:30")
    assert 0 < _minutes(home_back["start"]) - _minutes(venue_back["start"]) <= 30

    # The volunteer's phone: the escort at the client's door, with the activity's place and
    # time; the venue is not something to collect.
    mine = api.get(f"/api/me/routes/{DAY}", headers=phone_account.headers).json()
    cards = {(s["client_name"], s["bring"]): s for s in mine["stops"]}
    card = cards["老人0", "escort_there"]
    assert card["escort"] == {
        "there": True,
        "activity": "重阳茶话会",
        "place": "社区活动室",
        "address": hall.address,
        "at": venue["start"],
        "not_fetched": None,
    }
    assert cards["老人0", "escort_back"]["escort"]["there"] is False
    assert all(s["escort"] is None for s in mine["stops"] if s["bring"] == "meal")
    assert all(site["site_name"] != "社区活动室" for site in mine["collect"])
    phone = browser(server.url, phone_account.user.username)
    page = phone.get(f"/me/{DAY}").text
    assert "陪同前往" in page
    assert f"陪同老人前往社区活动室（{hall.address}）参加“重阳茶话会”，{venue['start']}到达" in page
    assert "陪同回家" in page

    # The coordinator's day page says who is fetched where.
    office = browser(server.url, boss.user.username)
    board = office.get(f"/days/{ident(station)}/{DAY}").text
    assert "陪老人0到达社区活动室" in board
    assert "到社区活动室接老人0" in board
    sheet = office.get(f"/plans/{plan['id']}/routes", params={"volunteer": ident(walker)}).text
    assert "“重阳茶话会”结束后" in sheet

    # A no-answer at the door when fetching them is the same safety event as at lunch.
    record_outcome(api, card["stop_id"], phone_account.headers, outcome("no_answer"))
    alerts = api.get(f"/api/stations/{ident(station)}/alerts", headers=boss.headers).json()
    assert [a["client_id"] for a in alerts] == [ident(elders[0])]
    # Whoever fetches her after it is told she was not taken there.
    back = api.get(f"/api/me/routes/{DAY}", headers=phone_account.headers).json()
    home_card = next(c for c in back["stops"] if c["bring"] == "escort_back")
    assert home_card["escort"]["not_fetched"] == "no_answer"
    assert "去程未能接到老人（无人应门）" in phone.get(f"/me/{DAY}").text
    # She opened after all and was taken there: she came (the attendance says so).
    record_outcome(api, card["stop_id"], phone_account.headers, outcome("delivered"))
    again_route = api.get(f"/api/me/routes/{DAY}", headers=phone_account.headers).json()
    assert all(
        c["escort"] is None or c["escort"]["not_fetched"] is None for c in again_route["stops"]
    )
    invitation = api.get(f"/api/invitations/{escorted['id']}", headers=boss.headers).json()
    assert invitation["attended"] is True
    assert invitation["attendance_noted_at"] is not None


def test_a_hand_moved_escort_keeps_the_door_before_the_venue(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    hall = create_site(session, station=station, kind=SiteKind.VENUE, lat=32.0500, lon=118.7790)
    elder = create_client(session, station=station, name="老人甲")
    people = [create_volunteer(session, station=station, name=f"志愿者{n}") for n in range(2)]
    for person in people:
        create_availability(
            session, volunteer=person, weekday=1, start_time=clock(13), end_time=clock(17)
        )
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    session.commit()
    activity = api.post(
        "/api/activities",
        json={
            "station_id": ident(station),
            "title": "健康讲座",
            "kind": "health_talk",
            "service_date": DAY,
            "start_time": "14:30",
            "end_time": "15:30",
            "site_id": ident(hall),
        },
        headers=boss.headers,
    ).json()
    _invite(api, boss.headers, station, activity["id"], ident(elder))
    day = f"/api/stations/{ident(station)}/days/{DAY}"
    api.post(f"{day}/generate", headers=boss.headers).raise_for_status()
    plan = planned(api, day, boss.headers)
    stops = [s for route in plan["routes"] for s in route["stops"]]
    home = next(s for s in stops if s["service"] == "escort_there" and s["kind"] == "door")
    owner = next(r["volunteer_id"] for r in plan["routes"] if home in r["stops"])
    other = next(ident(p) for p in people if ident(p) != owner)

    moved = api.post(
        f"/api/plans/{plan['id']}/stops/{home['id']}/move",
        json={"volunteer_id": other, "revision": plan["revision"]},
        headers=boss.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["warnings"] == []
    route = next(r for r in moved.json()["plan"]["routes"] if r["volunteer_id"] == other)
    legs = [(s["service"], s["kind"]) for s in route["stops"] if s["service"] == "escort_there"]
    assert legs == [("escort_there", "door"), ("escort_there", "pickup")]
    starts = [_minutes(s["start"]) for s in route["stops"] if s["service"] == "escort_there"]
    assert starts[0] < starts[1] <= _minutes("14:30")
