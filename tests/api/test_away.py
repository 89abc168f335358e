"""A door that says the client is away: "not home / in hospital", or a no-answer found to be
a stay in hospital. The day's page lists them for the coordinator to pause their services;
a later delivery, a pause, or the coordinator hearing they are home takes them off the list.
The same page counts the doors recorded, in all and route by route."""

from datetime import date, timedelta

import httpx
from sqlmodel import Session, select

from dispatch.access import system_principal
from dispatch.clients.away import away_lately
from models import Alert, AuditEvent, Client
from models.enums import ClientStatus, Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, plan_day


def test_the_clients_the_doors_say_are_away_are_offered_a_pause_until_paused(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=4, volunteers=1)
    doors = day.doors(day.first_route["volunteer_id"])
    names = {door["client_id"]: door["client_name"] for door in doors}
    day.record(api, doors[0], "not_home", note="邻居说住院了")
    day.record(api, doors[1], "no_answer")
    day.record(api, doors[2], "not_home")
    day.record(api, doors[2], "delivered")  # a correction: the last word stands
    day.record(api, doors[3], "delivered")
    alert = session.exec(select(Alert)).one()
    api.post(
        f"/api/alerts/{alert.id}/resolve",
        json={"resolution": "in_hospital", "note": "女儿说在鼓楼医院"},
        headers=day.coordinator.headers,
    ).raise_for_status()
    session.rollback()  # a new transaction sees what the server wrote

    station_id = day.station.id
    assert station_id is not None
    service_day = date.fromisoformat(DAY)
    away = away_lately(session, system_principal("test"), station_id, service_day)
    assert [(word.client_name, word.said) for word in away] == sorted(
        [(names[doors[0]["client_id"]], "not_home"), (names[doors[1]["client_id"]], "in_hospital")],
        reverse=True,
    )
    assert {word.note for word in away} == {"邻居说住院了", ""}
    # A week later the doors' word is too old to go by.
    assert (
        away_lately(session, system_principal("test"), station_id, service_day + timedelta(7)) == []
    )

    sign_in(api, day.coordinator.user.username)
    page = api.get(f"/days/{station_id}/{DAY}").text
    assert 'id="away"' in page
    # How the day goes, as the doors said (the last word of each): on the page and its route.
    assert "4 户中已记录 4 户 · 已送达 2 · 无人应门 1 · 不在家/住院 1</p>" in page
    assert '<span class="badge progress">已记录 4/4</span>' in page
    assert "邻居说住院了" in page
    for door in doors[:2]:
        assert f'action="/clients/{door["client_id"]}/pause"' in page
    assert f'action="/clients/{doors[2]["client_id"]}/pause"' not in page

    paused = api.post(
        f"/clients/{doors[0]['client_id']}/pause",
        data={
            "status_from": str(service_day + timedelta(days=1)),
            "status_until": "",
            "status_reason": "住院",
            "back": f"/days/{station_id}/{DAY}",
        },
    )
    assert paused.status_code == 303
    assert paused.headers["location"] == f"/days/{station_id}/{DAY}", paused.headers["location"]
    session.rollback()
    client = session.get(Client, doors[0]["client_id"])
    assert client is not None
    assert (client.status, client.status_from, client.status_until, client.status_reason) == (
        ClientStatus.PAUSED,
        service_day + timedelta(days=1),
        None,
        "住院",
    )
    again = api.get(f"/days/{station_id}/{DAY}").text
    assert f'action="/clients/{doors[0]["client_id"]}/pause"' not in again
    assert f'action="/clients/{doors[1]["client_id"]}/pause"' in again

    # The other was only out: the coordinator heard she is home, and her line goes.
    home = api.post(
        f"/clients/{doors[1]['client_id']}/home",
        data={"said_on": DAY, "back": f"/days/{station_id}/{DAY}"},
    )
    assert home.headers["location"] == f"/days/{station_id}/{DAY}", home.headers["location"]
    assert 'id="away"' not in api.get(f"/days/{station_id}/{DAY}").text
    session.rollback()
    client = session.get(Client, doors[1]["client_id"])
    assert client is not None
    assert (client.status, client.away_answered_on) == (ClientStatus.ACTIVE, service_day)
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "client", AuditEvent.entity_id == client.id)
    ).all()
    assert any("away_answered_on" in event.changes for event in trail)
    # The door's next word saying she is away is not answered by that.
    assert away_lately(session, system_principal("test"), station_id, service_day) == []
    client.away_answered_on = service_day - timedelta(days=1)
    assert [
        w.client_name
        for w in away_lately(session, system_principal("test"), station_id, service_day)
    ] == [names[doors[1]["client_id"]]]
    session.rollback()

    # A manager reads the day, and pauses nobody.
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    session.commit()
    api.cookies.clear()
    sign_in(api, manager.user.username)
    assert 'id="away"' not in api.get(f"/days/{station_id}/{DAY}").text
