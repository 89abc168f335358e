"""A planned stop with nothing recorded is still to come until its window is over, then
missed: the morning's dashboard does not call the day's lunches missed."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session

from dispatch.access import Principal, system_principal
from dispatch.reports.completion import completion, stops_behind
from dispatch.reports.periods import opening_day, period_around
from dispatch.schedules.service import ScheduleService
from models.enums import ClientStatus, Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, outcome, plan_day, plan_today, planned, published
from tests.builders.records import (
    create_client,
    create_schedule,
    create_site,
    create_station,
    ident,
)


def test_a_stop_is_still_to_come_until_its_window_is_over_then_missed(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=4, volunteers=1)  # windows 11:00-12:30
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    doors = day.doors(volunteer_id)
    assert len(doors) == 4
    for door, kind in zip(doors, ["delivered", "no_answer"], strict=False):
        api.post(
            f"/api/me/stops/{door['id']}/outcomes", json=outcome(kind), headers=me.headers
        ).raise_for_status()
    station = day.station
    assert station.id is not None
    office = system_principal("test")
    service_day = date.fromisoformat(DAY)

    def at(hour: int, minute: int) -> datetime:
        return datetime(2026, 11, 24, hour, minute, tzinfo=ZoneInfo(station.timezone))

    morning = completion(session, office, station.id, service_day, service_day, now=at(9, 0))
    assert (morning.planned, morning.delivered, morning.missed, morning.pending) == (4, 1, 1, 2)
    assert morning.missed_by_reason == {"no_answer": 1}  # the door that did not open
    (that_day,) = morning.days
    assert (that_day.missed, that_day.pending) == (1, 2)
    to_come = stops_behind(
        session, office, station.id, service_day, service_day, "pending", now=at(9, 0)
    )
    assert sorted(row.client_id for row in to_come) == sorted(d["client_id"] for d in doors[2:])

    still = completion(session, office, station.id, service_day, service_day, now=at(12, 29))
    assert (still.missed, still.pending) == (1, 2)
    over = completion(session, office, station.id, service_day, service_day, now=at(12, 31))
    assert (over.planned, over.delivered, over.missed, over.pending) == (4, 1, 3, 0)
    assert over.missed_by_reason == {"no_answer": 1, "no_outcome": 2}


def test_a_periods_stops_are_listed_day_by_day_then_by_client_whatever_order_days_were_planned(
    api: httpx.Client, session: Session
) -> None:
    """The monthly report's missed deliveries and the dashboard's lists read in date order,
    also when an earlier day was planned after a later one."""
    day = plan_day(api, session, clients=3, volunteers=1)
    earlier = str(date.fromisoformat(DAY) - timedelta(days=7))
    headers = day.coordinator.headers
    path = f"/api/stations/{day.station.id}/days/{earlier}"
    api.post(f"{path}/generate", headers=headers).raise_for_status()
    published(api, planned(api, path, headers), headers)
    rows = api.get(
        f"/api/stations/{day.station.id}/completion/stops",
        params={"first": earlier, "last": DAY, "figure": "missed"},
        headers=headers,
    ).json()
    listed = [(row["day"], row["client_name"]) for row in rows]
    assert listed == sorted(listed)
    assert len(listed) == 6  # nothing recorded on either day: every door missed
    assert {row["volunteer_name"] for row in rows} == {"志愿者0"}  # by whom: the one volunteer
    assert listed[0][0] == earlier


def test_a_dashboard_opens_on_this_month_and_on_the_1st_on_the_month_just_ended(
    api: httpx.Client, session: Session
) -> None:
    """On the 1st the month has nothing done yet: the manager opens the one to report on."""
    assert opening_day(date(2026, 12, 1), "month") == date(2026, 11, 30)
    assert opening_day(date(2026, 12, 2), "month") == date(2026, 12, 2)
    assert opening_day(date(2026, 12, 1), "week") == date(2026, 12, 1)  # a day or week: today's
    assert period_around("month", opening_day(date(2027, 3, 1), "month")) == (
        date(2027, 2, 1),
        date(2027, 2, 28),
    )
    station = create_station(session)
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    session.commit()
    sign_in(api, manager.user.username)
    today = datetime.now(ZoneInfo(station.timezone)).date()
    first, last = period_around("month", opening_day(today, "month"))
    for page in (f"/dashboard/{station.id}", "/dashboard"):
        answer = api.get(page)
        assert answer.status_code == 200, answer.text
        assert f"{first} – {last}" in answer.text


def test_the_manager_sees_at_each_station_the_clients_in_service_who_receive_nothing(
    api: httpx.Client, session: Session
) -> None:
    """A client whose schedule ended, or was never entered, is forgotten today whatever the
    period shown: the manager's dashboards count them, station by station, and lead to them."""
    east, west = create_station(session, name="东站"), create_station(session, name="西站")
    kitchen = create_site(session, station=east)
    create_schedule(
        session, client=create_client(session, station=east, name="王秀英"), site=kitchen
    )
    ended = create_client(session, station=east, name="李建国")
    create_schedule(session, client=ended, site=kitchen, end_date=date(2026, 11, 20))
    create_client(session, station=east, name="赵大爷")  # never given a schedule
    create_client(session, station=east, name="钱奶奶", status=ClientStatus.ENDED)  # owed nothing
    create_client(session, station=west, name="孙爷爷")
    manager = create_account(session, role=Role.MANAGER, stations=(east, west))
    session.commit()
    sign_in(api, manager.user.username)

    page = api.get(f"/dashboard/{east.id}").text
    tile = re.search(
        r'<a class="tile bad" id="receiving-nothing" href="([^"]+)"><b>(\d+)</b>', page
    )
    assert tile is not None, page
    assert tile.group(2) == "2"  # 李建国 and 赵大爷: not 钱奶奶, not the other station's
    listed = api.get(tile.group(1).replace("&amp;", "&")).text
    assert {"李建国", "赵大爷"} == set(re.findall(r"<tr><td>(\S+?)</td>", listed))
    assert "2 位服务中的客户没有在执行的服务安排" in listed

    across = api.get("/dashboard").text
    cells = dict(
        re.findall(
            r'>(东站|西站)</a>.*?(?:<a class="flag" href="[^"]+">)?(\d+)(?:</a>)?</td></tr>', across
        )
    )
    assert cells == {"东站": "2", "西站": "1"}
    assert re.search(r"<th>3</th></tr>\s*</table>", across)  # in all

    # Asked of a station the reader does not reach, the service answers nothing of it.
    east_only = Principal(user_id=None, role=Role.MANAGER, station_ids=frozenset({ident(east)}))
    asked = ScheduleService().receiving_nothing(
        session, east_only, [ident(east), ident(west)], date.today()
    )
    assert set(asked) == {ident(east)}


def _zone_in_the_afternoon() -> str:
    """A time zone where it is now between 15:00 and 22:59, so that today's lunches are over
    whenever the test runs (the server reads the real clock)."""
    for offset in range(-12, 15):
        name = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # Etc/GMT-8 is UTC+8
        if 15 <= datetime.now(ZoneInfo(name)).hour < 23:
            return name
    raise AssertionError("some offset from -12 to +14 is in the afternoon")


def test_todays_board_shows_the_doors_with_nothing_recorded_long_after_their_time(
    api: httpx.Client, session: Session
) -> None:
    """Half an hour after a door's planned time, nothing recorded is flagged on the day's
    board, door by door and route by route, so that the coordinator calls before lunch
    goes cold; a door with its outcome is not."""
    zone = _zone_in_the_afternoon()
    today = datetime.now(ZoneInfo(zone)).date()
    day = plan_today(api, session, zone)
    boss, station = day.coordinator, day.station
    ((volunteer_id, me),) = day.volunteers.items()
    doors = day.doors(volunteer_id)
    assert len(doors) == 3
    api.post(
        f"/api/me/stops/{doors[0]['id']}/outcomes", json=outcome("delivered"), headers=me.headers
    ).raise_for_status()

    sign_in(api, boss.user.username)
    page = api.get(f"/days/{station.id}/{today}")
    assert page.status_code == 200, page.text
    assert page.text.count("超时未记录") == 2  # "overdue: nothing recorded", not the delivered
    assert "2 户落后" in page.text  # the route: two doors behind
    assert "1/3" in page.text  # recorded so far
    tomorrow = api.get(f"/days/{station.id}/{today + timedelta(days=1)}").text
    assert "超时未记录" not in tomorrow
