"""The coordinator's pages over real HTTP: login, the day in both languages, actions."""

import re
from datetime import time

import httpx
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import PASSWORD, create_user
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)


def test_pages_need_a_login_and_render_in_chinese_and_english(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session, name="新街口社工站")
    client = create_client(session, station=station, name="王秀英")
    create_schedule(session, client=client, site=create_site(session, station=station))
    volunteer = create_volunteer(session, station=station)
    create_availability(session, volunteer=volunteer, weekday=1, start_time=time(10))
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    day = f"/days/{ident(station)}/2026-11-24"

    assert api.get(day).headers["location"] == "/login"
    wrong = api.post("/login", data={"username": user.username, "password": "nope"})
    assert wrong.status_code == 303
    assert "message=" in wrong.headers["location"]
    signed = api.post("/login", data={"username": user.username, "password": PASSWORD})
    assert signed.status_code == 303
    assert "careroute_session" in signed.headers["set-cookie"]

    page = api.get(day)
    assert page.status_code == 200
    assert "生成当日任务" in page.text  # the station's locale: zh-CN
    assert api.post(f"{day}/generate").status_code == 303
    after = api.get(day).text
    assert re.search(r"1 项任务，1 位志愿者有空", after)

    switched = api.get("/language/en", headers={"referer": day})
    assert switched.headers["location"] == day
    api.cookies.set("careroute_lang", "en")  # as the browser keeps it
    english = api.get(day).text
    assert "Plan this day" in english
    assert "1 tasks, 1 volunteers free" in english
    assert api.get("/vendor/leaflet/leaflet.js").status_code == 200
