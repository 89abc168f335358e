"""Planning over HTTP: start, follow and read the plan; managers read, never plan."""

import re
import time
from datetime import time as clock
from typing import Any

import httpx
from sqlmodel import Session

from models import Station, Volunteer
from models.enums import Role
from tests.builders.accounts import Account, create_account, form_token_of, sign_in
from tests.builders.days import planned
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)


def test_a_coordinator_plans_the_day_and_reads_the_draft(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    kitchen = create_site(session, station=station)
    for n in range(4):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 500)
        create_schedule(session, client=client, site=kitchen)
    volunteer = create_volunteer(session, station=station)
    create_availability(session, volunteer=volunteer, weekday=1, start_time=clock(10))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    day = f"/api/stations/{ident(station)}/days/2026-11-24"

    assert api.post(f"{day}/plan", json={}, headers=coordinator.headers).status_code == 422
    api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
    assert api.post(f"{day}/plan", json={}, headers=manager.headers).status_code == 403
    started = api.post(f"{day}/plan", json={"time_limit_seconds": 1}, headers=coordinator.headers)
    assert started.status_code == 202, started.text
    job = started.json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
        job = api.get(f"/api/planning-jobs/{job['id']}", headers=manager.headers).json()
    assert job["status"] == "succeeded", job["error"]
    assert job["best_cost"] is not None

    plan = api.get(f"{day}/plan", headers=manager.headers).json()
    assert plan["id"] == job["plan_id"]
    assert plan["status"] == "draft"
    [route] = plan["routes"]
    assert route["volunteer_id"] == ident(volunteer)
    doors = [stop["client_name"] for stop in route["stops"] if stop["kind"] == "door"]
    assert sorted(doors) == [f"客户{n}" for n in range(4)]
    assert all(stop["start"] >= "10:00" for stop in route["stops"])
    again = api.post(f"/api/planning-jobs/{job['id']}/cancel", headers=coordinator.headers)
    assert again.status_code == 409  # it has ended


def _lunches_and_an_evening_visit(
    api: httpx.Client, session: Session, lunches: int
) -> tuple[Station, list[Volunteer], Account, str, dict[str, Any]]:
    """A station's Tuesday planned: `lunches` clients from one kitchen and an evening visit
    after every shift (16:00–17:00), two volunteers from 10:00. The station, its volunteers,
    its coordinator, the day's API path and the plan."""
    station = create_station(session)
    kitchen = create_site(session, station=station)
    for n in range(lunches):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 500)
        create_schedule(session, client=client, site=kitchen)
    late = create_client(session, station=station, name="晚饭客户", lat=32.05)
    create_schedule(
        session, client=late, site=None, kind="visit", window_start=clock(16), window_end=clock(17)
    )
    people = [create_volunteer(session, station=station, name=f"志愿者{n}") for n in range(2)]
    for person in people:
        create_availability(session, volunteer=person, weekday=1, start_time=clock(10))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    day = f"/api/stations/{ident(station)}/days/2026-11-24"
    api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
    return station, people, coordinator, day, planned(api, day, coordinator.headers)


def test_a_stop_left_out_says_why_with_what_keeps_it_out_and_whom(
    api: httpx.Client, session: Session
) -> None:
    """An unplanned stop's reason comes with its particulars: the window nobody works in; the
    volunteer it is pinned to by name (the planner's own ids never reach people), in the
    API's sentence and, in the reader's language, on the day page."""
    station, people, coordinator, day, plan = _lunches_and_an_evening_visit(api, session, 1)
    [unplanned] = plan["unplanned"]
    assert (unplanned["reason"], unplanned["details"]) == (
        "no_shift_in_window",
        {"window": "16:00–17:00"},
    )
    sign_in(api, coordinator.user.username)
    page = api.get(f"/days/{ident(station)}/2026-11-24").text
    assert "可承担的志愿者在其时间窗（16:00–17:00）内都不上班" in page
    # Given by hand, it is offered first to whoever has no route that day.
    [busy] = [route["volunteer_id"] for route in plan["routes"] if route["stops"]]
    [idle] = [ident(p) for p in people if ident(p) != busy]
    left_out = page.split('<li class="unplanned-stop"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="(\d+)" >([^<]*)</option>', left_out)
    assert [int(volunteer) for volunteer, _label in offered] == [idle, busy]
    assert offered[0][1].endswith("当天没有路线")

    keeper = ident(people[0])
    moved = api.post(
        f"/api/plans/{plan['id']}/stops/{unplanned['id']}/move",
        json={"revision": plan["revision"], "volunteer_id": keeper},
        headers=coordinator.headers,
    )
    assert moved.status_code == 200, moved.text
    gone = api.patch(
        f"/api/volunteers/{keeper}", json={"active": False}, headers=coordinator.headers
    )
    assert gone.status_code == 200, gone.text
    again = planned(api, day, coordinator.headers)
    [unplanned] = again["unplanned"]
    assert unplanned["reason"] == "pinned_volunteer_absent"
    assert unplanned["details"] == {"volunteer": "志愿者0", "volunteer_id": keeper}
    assert "pinned to 志愿者0, who is not available" in unplanned["explanation"]
    assert "已指定给志愿者0，但其当天不上班" in api.get(f"/days/{ident(station)}/2026-11-24").text


def test_a_coordinator_gives_an_unplanned_stop_to_a_volunteer_and_re_plans_keep_it(
    api: httpx.Client, session: Session
) -> None:
    """A stop the planner could not fit (its window is after every shift) is given by hand;
    it is pinned there, past the volunteer's shift, and a re-plan after another volunteer is taken
    off keeps it there with its warning instead of dropping it."""
    _station, people, coordinator, day, plan = _lunches_and_an_evening_visit(api, session, 4)
    [unplanned] = plan["unplanned"]
    assert unplanned["client_name"] == "晚饭客户"
    keeper, other = (ident(p) for p in people)

    moved = api.post(
        f"/api/plans/{plan['id']}/stops/{unplanned['id']}/move",
        json={"revision": plan["revision"], "volunteer_id": keeper},
        headers=coordinator.headers,
    )
    assert moved.status_code == 200, moved.text
    given = moved.json()
    assert given["eta_before"] is None
    assert [w["kind"] for w in given["warnings"]] == ["shift"]  # waits till 16:00
    assert given["plan"]["unplanned"] == []
    route = next(r for r in given["plan"]["routes"] if r["volunteer_id"] == keeper)
    [door] = [s for s in route["stops"] if s["task_id"] == unplanned["task_id"]]
    assert door["pinned"]

    off = api.post(
        f"/api/plans/{plan['id']}/volunteers/{other}/off",
        json={"revision": given["plan"]["revision"]},
        headers=coordinator.headers,
    )
    assert off.status_code == 200, off.text
    again = planned(api, day, coordinator.headers)
    assert again["id"] != plan["id"]
    route = next(r for r in again["routes"] if r["volunteer_id"] == keeper)
    [door] = [s for s in route["stops"] if s["task_id"] == unplanned["task_id"]]
    assert door["pinned"]
    assert (door["reason"], door["explanation"]) == ("pin_kept", "shift")


def test_planning_a_day_without_tasks_says_so_in_the_readers_language(
    api: httpx.Client, session: Session
) -> None:
    """The refusal a page shows comes from the catalogue, without the field's code ("day:")."""
    station = create_station(session)
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    api_answer = api.post(
        f"/api/stations/{ident(station)}/days/2026-11-24/plan",
        json={},
        headers=coordinator.headers,
    )
    assert api_answer.status_code == 422
    [problem] = api_answer.json()["detail"]
    assert problem["msg"] == "there are no tasks to plan: generate the day first"

    sign_in(api, coordinator.user.username)
    page = api.post(
        f"/days/{ident(station)}/2026-11-24/plan",
        data={"csrf_token": form_token_of(api), "seconds": "5"},
        follow_redirects=True,
    )
    assert "当天还没有可规划的任务：请先生成当日任务" in page.text
    assert "day:" not in page.text
    assert "generate the day first" not in page.text


def test_the_day_page_says_how_many_regulars_are_off_that_day(
    api: httpx.Client, session: Session
) -> None:
    """Of the clients who do not get their regular volunteer, those whose regulars all have
    the day off are counted apart: no plan could have sent them their regular."""
    station = create_station(session)
    kitchen = create_site(session, station=station)
    working = create_volunteer(session, station=station, name="上班的")
    create_availability(session, volunteer=working, weekday=1, start_time=clock(10))
    resting = create_volunteer(session, station=station, name="休息的")
    create_availability(session, volunteer=resting, weekday=0, start_time=clock(10))
    for name, regular in (("甲", working), ("乙", resting)):
        client = create_client(
            session, station=station, name=name, preferred_volunteer_ids=[ident(regular)]
        )
        create_schedule(session, client=client, site=kitchen)
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    day = f"/api/stations/{ident(station)}/days/2026-11-24"
    api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
    plan = planned(api, day, coordinator.headers)
    assert (plan["with_regular"], plan["by_regular"]) == (2, 1)

    sign_in(api, coordinator.user.username)
    page = api.get(f"/days/{ident(station)}/2026-11-24").text
    assert "有熟悉的志愿者的 2 位服务对象中，1 位由其熟悉的志愿者服务" in page
    assert '<span id="regulars-off">（其余中有 1 位的熟悉志愿者当天都没空）</span>' in page
