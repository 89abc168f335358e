"""Swaps: a volunteer releases a day; the coordinator offers the route to another volunteer,
who takes it; the re-plan hands the route to them and leaves the first one out."""

import re
import time
from datetime import time as clock

import httpx
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, plan_day, published
from tests.builders.records import create_availability, create_volunteer


def test_a_released_day_is_offered_taken_and_handed_over_by_a_re_plan(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=10, volunteers=2)
    assert len(day.plan["routes"]) == 2, "the builder's day needs both volunteers"
    giver, taker = (route["volunteer_id"] for route in day.plan["routes"])
    me, them, boss = day.volunteers[giver], day.volunteers[taker], day.coordinator
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    given = {stop["task_id"] for stop in day.doors(giver)}

    url = f"/api/me/days/{DAY}/release"
    first = api.post(url, json={"reason": "家里老人住院"}, headers=me.headers).json()
    again = api.post(url, json={"reason": "again"}, headers=me.headers).json()
    assert (first["status"], again["id"]) == ("open", first["id"])
    assert first["stops"] == len(given)
    assert (
        api.post("/api/me/days/2026-11-25/release", json={}, headers=me.headers).status_code == 404
    )
    releases = api.get(
        f"/api/stations/{day.station.id}/releases", params={"day": DAY}, headers=boss.headers
    ).json()
    assert [(r["volunteer_id"], r["reason"]) for r in releases] == [(giver, "家里老人住院")]

    offer = f"/api/releases/{first['id']}/offer"
    assert api.post(offer, json={"volunteer_id": taker}, headers=manager.headers).status_code == 403
    assert api.post(offer, json={"volunteer_id": giver}, headers=boss.headers).status_code == 404
    offered = api.post(offer, json={"volunteer_id": taker}, headers=boss.headers).json()
    assert (offered["status"], offered["offered_to_name"]) == ("offered", "志愿者1")
    seen = api.get("/api/me/offers", headers=them.headers)
    assert [o["id"] for o in seen.json()] == [first["id"]]
    assert day.doors(giver)[0]["client_name"] not in seen.text  # nobody named before taking
    assert api.get("/api/me/offers", headers=me.headers).json() == []
    accept = f"/api/me/offers/{first['id']}/accept"
    assert api.post(accept, headers=me.headers).status_code == 404  # not offered to them
    taken = api.post(accept, headers=them.headers).json()
    assert (taken["status"], taken["taken_by_volunteer_id"]) == ("taken", taker)
    assert api.post(accept, headers=them.headers).status_code == 409

    job = api.post(f"/api/releases/{first['id']}/replan", headers=boss.headers)
    assert job.status_code == 202, job.text
    state = job.json()
    while state["status"] in ("queued", "running"):
        time.sleep(0.2)
        state = api.get(f"/api/planning-jobs/{state['id']}", headers=boss.headers).json()
    assert state["status"] == "succeeded", state
    draft = api.get(f"/api/stations/{day.station.id}/days/{DAY}/plan", headers=boss.headers).json()
    assert draft["status"] == "draft"
    routes = {route["volunteer_id"]: route for route in draft["routes"]}
    assert giver not in routes
    taker_tasks = {stop["task_id"] for stop in routes[taker]["stops"] if stop["kind"] == "door"}
    assert given <= taker_tasks
    # Until the new plan is published, the first volunteer's route stands.
    assert api.get(f"/api/me/routes/{DAY}", headers=me.headers).status_code == 200
    releases = api.get(
        f"/api/stations/{day.station.id}/releases", params={"day": DAY}, headers=boss.headers
    ).json()
    assert (releases[0]["status"], releases[0]["planning_job_id"]) == ("replanned", state["id"])

    published(api, draft, boss.headers)
    assert api.get(f"/api/me/routes/{DAY}", headers=me.headers).status_code == 404
    sign_in(api, me.user.username)
    page = api.get(f"/me/{DAY}").text
    assert "您已退出这一天，路线已重新规划" in page
    assert "协调员会通知您" not in page  # nothing more to wait for: the day was given away


def test_a_released_route_is_offered_first_to_those_free_without_a_route(
    api: httpx.Client, session: Session
) -> None:
    """The coordinator's list of who to ask: of those whose free hours span the released
    route, first those free that day without a route of their own, then those with routes
    (their times and doors shown); then those free at other hours; never the one who
    released it."""
    day = plan_day(api, session, clients=10, volunteers=2)
    giver, other = (route["volunteer_id"] for route in day.plan["routes"])
    spare = create_volunteer(session, station=day.station, name="志愿者9")
    create_availability(session, volunteer=spare, weekday=1, start_time=clock(9))
    later = create_volunteer(session, station=day.station, name="志愿者8")
    create_availability(
        session, volunteer=later, weekday=1, start_time=clock(14), end_time=clock(17)
    )
    session.commit()
    me = day.volunteers[giver]
    api.post(f"/api/me/days/{DAY}/release", json={"reason": "发烧"}, headers=me.headers)

    sign_in(api, day.coordinator.user.username)
    page = api.get(f"/days/{day.station.id}/{DAY}").text
    # The morning's first thing to mend comes before the plan's routes, not under them.
    assert page.index('<section class="releases">') < page.index('class="routes"')
    released = page.split('<li data-release="', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', released)
    theirs = next(r for r in day.plan["routes"] if r["volunteer_id"] == other)
    doors = sum(1 for stop in theirs["stops"] if stop["kind"] == "door")
    assert options == [
        (str(spare.id), "志愿者9 · 有空 09:00–13:00 · 当天没有路线"),
        (
            str(other),
            f"{theirs['volunteer_name']} · 有空 10:00–13:00 · "
            f"已有路线 {theirs['depart']}–{theirs['arrive']}，{doors} 户",
        ),
        (str(later.id), "志愿者8 · 有空 14:00–17:00 · 当天没有路线"),
    ]
