"""The audit trail over HTTP: filtered by kind, person, client and volunteer, scoped to one's
stations, exported as CSV, checked; and no endpoint edits or deletes an entry."""

import codecs
import csv
import io

import httpx
from sqlmodel import Session

from models import Station
from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import small_day
from tests.builders.records import create_station, ident


def test_the_trail_is_read_filtered_exported_and_never_edited(
    api: httpx.Client, session: Session
) -> None:
    station, elsewhere = create_station(session), create_station(session)
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    other_boss = create_account(session, role=Role.COORDINATOR, stations=(elsewhere,))
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    admin = create_account(session, role=Role.ADMIN)
    client = api.post(
        "/api/clients",
        json={"station_id": ident(station), "name": "王秀英", "lat": 32.05, "lon": 118.78},
        headers=boss.headers,
    ).json()
    api.patch(
        f"/api/clients/{client['id']}", json={"floor": 5}, headers=boss.headers
    ).raise_for_status()
    volunteer = api.post(
        "/api/volunteers",
        json={"station_id": ident(station), "name": "张伟", "lat": 32.04, "lon": 118.78},
        headers=boss.headers,
    ).json()
    api.post(
        "/api/clients",
        json={"station_id": ident(elsewhere), "name": "李桂兰", "lat": 32.05, "lon": 118.78},
        headers=other_boss.headers,
    ).raise_for_status()

    about_client = api.get(
        "/api/audit", params={"client_id": client["id"]}, headers=manager.headers
    ).json()
    assert [(e["action"], e["entity"]) for e in about_client["items"]] == [
        ("update", "client"),
        ("create", "client"),
    ]
    assert about_client["items"][0]["changes"]["floor"] == [None, 5]
    assert about_client["items"][0]["actor_name"] == boss.user.display_name
    assert about_client["items"][0]["interface"] == "api"
    by_volunteer = api.get(
        "/api/audit", params={"volunteer_id": volunteer["id"]}, headers=boss.headers
    ).json()
    assert [e["entity"] for e in by_volunteer["items"]] == ["volunteer"]
    mine = api.get("/api/audit", params={"entity": "client"}, headers=boss.headers).json()
    assert {e["station_id"] for e in mine["items"]} == {ident(station)}  # not the other station
    everything = api.get("/api/audit", params={"entity": "client"}, headers=admin.headers).json()
    assert everything["total"] == 3
    by_person = api.get(
        "/api/audit",
        params={"actor_user_id": other_boss.user.id, "entity": "client"},
        headers=admin.headers,
    ).json()
    assert [e["station_id"] for e in by_person["items"]] == [ident(elsewhere)]
    future = api.get("/api/audit", params={"since": "2099-01-01"}, headers=admin.headers).json()
    assert future["total"] == 0

    export = api.get(
        "/api/audit/export.csv", params={"client_id": client["id"]}, headers=manager.headers
    )
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(codecs.BOM_UTF8)  # three bytes, so that Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert [r["action"] for r in rows] == ["create", "update"]  # oldest first
    assert "王秀英" in rows[0]["changes"]

    assert api.get("/api/audit/verify", headers=boss.headers).status_code == 403
    check = api.get("/api/audit/verify", headers=manager.headers).json()
    assert check["intact"] is True
    # A manager checks their own station's chain: the client created and changed, the
    # volunteer created; not the other station's events.
    assert (check["chains"], check["events"]) == (1, 3)
    event_id = about_client["items"][0]["id"]
    for method in ("PATCH", "PUT", "DELETE"):
        answer = api.request(method, f"/api/audit/{event_id}", headers=admin.headers)
        assert answer.status_code in (404, 405)  # no such endpoint, for anyone

    sign_in(api, manager.user.username)
    page = api.get("/audit", params={"client_id": client["id"], "verify": "1"})
    assert page.status_code == 200
    assert 'data-intact="true"' in page.text
    assert f'<option value="{boss.user.id}" >{boss.user.display_name}</option>' in page.text
    assert "王秀英" in page.text
    # Sentences with names, the changed field under its label, the raw entry one click away.
    name = boss.user.display_name
    assert f"{name} 修改了老人档案 · 王秀英" in page.text
    assert f"{name} 新建了老人档案 · 王秀英" in page.text
    assert "楼层：– → 5" in page.text
    assert '<details class="raw" data-raw>' in page.text
    api.get("/language/en")
    english = api.get("/audit", params={"client_id": client["id"]}).text
    assert "Floor: – → 5" in english  # not the Chinese "："
    api.get("/language/zh-CN")
    assert f'<option value="{client["id"]}" selected>王秀英</option>' in page.text


def test_a_day_generated_reads_as_one_line_opened_for_each_client(
    api: httpx.Client, session: Session
) -> None:
    """Generating a day writes an entry per task: the page gathers them in one line that
    names the action and how many, each entry naming its client inside; and a field that
    went from nothing to nothing ("–" to "–") is not shown as a change."""
    day, coordinator = small_day(session, clients=4)
    api.post(f"{day}/generate", headers=coordinator.headers).raise_for_status()
    station = session.get(Station, int(day.split("/")[3]))
    assert station is not None
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    sign_in(api, manager.user.username)
    page = api.get("/audit").text

    name = coordinator.user.display_name
    run = page.split('<li class="run" data-run="4">', 1)[1].split("</ol>", 1)[0]
    assert f'<span class="sentence">{name} 生成了当日任务</span> · 4 条记录' in run
    for n in range(4):
        assert f"{name} 生成了当日任务 · 客户{n}" in run
    assert run.count('<li data-seq="') == 4
    assert "– → –" not in page
    assert "时间窗起：– → 11:00" in run  # what was set is shown
