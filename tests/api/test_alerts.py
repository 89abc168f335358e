"""The no-answer protocol over HTTP: an alert per no-answer or concern, its ladder with due
and overdue steps, steps recorded with who and what, closed only by a resolution; proof of
delivery codes; outcomes entered from paper by the coordinator."""

from datetime import datetime, timedelta

import httpx
from sqlmodel import Session, select

from models import Alert, AuditEvent
from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, outcome, plan_day
from tests.builders.records import create_station


def test_a_no_answer_raises_an_alert_that_walks_the_ladder_until_resolved(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session)
    station = day.station.id
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    first, second = day.doors(volunteer_id)[:2]
    boss = day.coordinator
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    feed = f"/api/stations/{station}/alerts"

    no_answer = outcome("no_answer", note="敲门无人应", concern=True)  # and worried
    for _ in range(2):  # sent twice (lost signal): one outcome, one alert
        api.post(f"/api/me/stops/{first['id']}/outcomes", json=no_answer, headers=me.headers)
    api.post(
        f"/api/me/stops/{second['id']}/outcomes", json=outcome("delivered"), headers=me.headers
    ).raise_for_status()
    alerts = api.get(feed, params={"status": "open"}, headers=boss.headers).json()
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["reason"], alert["client_name"], alert["outcome_note"]) == (
        "no_answer",
        first["client_name"],
        "敲门无人应",
    )
    assert (alert["emergency_contact"], alert["emergency_contact_phone"]) == ("李强", "13800000001")
    assert alert["concern"] is True  # a no-answer alert that also carries the worry
    with httpx.Client(base_url=str(api.base_url)) as office:
        sign_in(office, boss.user.username)
        page = office.get(f"/days/{station}/{DAY}").text
    assert "志愿者担心这位老人" in page
    assert 'href="tel:13800000001"' in page  # one tap calls the emergency contact
    assert [s["step"] for s in alert["steps"]] == [
        "call_client",
        "call_emergency_contact",
        "social_worker_visit",
        "emergency_services",
    ]
    assert not alert["overdue"]
    # Managers read alerts, without the emergency contact; volunteers do not see the feed.
    seen = api.get(feed, headers=manager.headers).json()
    assert seen[0]["id"] == alert["id"]
    assert seen[0]["emergency_contact"] is None
    assert seen[0]["emergency_contact_phone"] is None
    assert api.get(feed, headers=me.headers).status_code == 403
    other_station = create_station(session)
    assert (
        api.get(f"/api/stations/{other_station.id}/alerts", headers=boss.headers).status_code == 404
    )

    # Fifteen minutes on, calling the client is overdue.
    row = session.get(Alert, alert["id"])
    assert row is not None
    row.raised_at -= timedelta(minutes=15)
    session.add(row)
    session.commit()
    late = api.get(f"/api/alerts/{alert['id']}", headers=boss.headers).json()
    assert late["overdue"]
    assert [s["overdue"] for s in late["steps"]] == [True, False, False, False]

    url = f"/api/alerts/{alert['id']}"
    step = {"step": "call_client", "result": "无人接听"}
    assert api.post(f"{url}/steps", json=step, headers=manager.headers).status_code == 403
    called = api.post(f"{url}/steps", json=step, headers=boss.headers).json()
    assert called["steps"][0]["result"] == "无人接听"
    assert called["steps"][0]["done_by"] == boss.user.display_name
    assert not called["overdue"]
    assert len(called["log"]) == 1

    assert api.post(f"{url}/resolve", json={}, headers=boss.headers).status_code == 422
    vague = {"resolution": "other", "note": " "}
    assert api.post(f"{url}/resolve", json=vague, headers=boss.headers).status_code == 422
    assert api.get(f"{url}", headers=boss.headers).json()["status"] == "open"
    safe = {"resolution": "client_safe", "note": "邻居说老人去女儿家了，女儿电话确认"}
    resolved = api.post(f"{url}/resolve", json=safe, headers=boss.headers).json()
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "client_safe")
    assert resolved["resolved_by"] == boss.user.display_name
    assert api.post(f"{url}/resolve", json=safe, headers=boss.headers).status_code == 409
    assert api.post(f"{url}/steps", json=step, headers=boss.headers).status_code == 409
    assert api.get(feed, params={"status": "open"}, headers=boss.headers).json() == []
    day_alerts = api.get(feed, params={"day": "2026-11-24"}, headers=boss.headers).json()
    assert [a["id"] for a in day_alerts] == [alert["id"]]
    actions = session.exec(
        select(AuditEvent.action).where(
            AuditEvent.entity == "alert", AuditEvent.entity_id == alert["id"]
        )
    ).all()
    assert sorted(actions) == ["raise_alert", "resolve_alert", "take_alert_step"]


def test_a_concern_raises_an_alert_even_when_the_meal_was_delivered(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    door = day.doors(volunteer_id)[0]
    worried = outcome("delivered", concern=True, note="老人说头晕")
    api.post(f"/api/me/stops/{door['id']}/outcomes", json=worried, headers=me.headers)
    alerts = api.get(
        f"/api/stations/{day.station.id}/alerts", headers=day.coordinator.headers
    ).json()
    assert [(a["reason"], a["latest_outcome_kind"]) for a in alerts] == [("concern", "delivered")]


def test_card_codes_prove_delivery_and_a_new_card_retires_the_old_code(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(
        api, session, clients=2, volunteers=1, station_fields={"proof_of_delivery": True}
    )
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    door = day.doors(volunteer_id)[0]
    boss = day.coordinator
    card = f"/api/clients/{door['client_id']}/card"
    assert api.post(card, headers=me.headers).status_code == 403
    old = api.post(card, headers=boss.headers).json()["code"]
    new = api.post(card, headers=boss.headers).json()["code"]
    assert len(new) == 6
    assert new != old

    def deliver(code: str | None) -> str:
        body = outcome("delivered", card_code=code)
        answer = api.post(f"/api/me/stops/{door['id']}/outcomes", json=body, headers=me.headers)
        assert answer.status_code == 201, answer.text
        proof: str = answer.json()["proof"]
        return proof

    assert deliver(f" {new.lower()} ") == "confirmed"
    assert deliver(old) == "mismatch"
    assert deliver(None) == "none"
    route = api.get("/api/me/routes/2026-11-24", headers=me.headers).text
    assert new not in route
    assert old not in route


def test_the_coordinator_enters_outcomes_from_a_paper_sheet(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    paper = outcome("no_answer")
    url = f"/api/stops/{door['id']}/outcomes"
    assert (
        api.post(url, json=paper, headers=day.volunteers[volunteer_id].headers).status_code == 403
    )
    elsewhere = create_account(session, role=Role.COORDINATOR, stations=(create_station(session),))
    assert api.post(url, json=paper, headers=elsewhere.headers).status_code == 404
    entered = api.post(url, json=paper, headers=day.coordinator.headers)
    assert entered.status_code == 201
    assert entered.json()["entered_by_coordinator"] is True
    assert entered.json()["volunteer_id"] == volunteer_id
    assert api.post(url, json=paper, headers=day.coordinator.headers).status_code == 200
    alerts = api.get(
        f"/api/stations/{day.station.id}/alerts", headers=day.coordinator.headers
    ).json()
    assert len(alerts) == 1  # a no-answer from paper raises the alert too


def test_a_station_sets_its_own_ladder(api: httpx.Client, session: Session) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)
    station = f"/api/stations/{day.station.id}"
    admin = create_account(session, role=Role.ADMIN)
    backwards = [
        {"step": "call_client", "due_minutes": 30},
        {"step": "call_emergency_contact", "due_minutes": 5},
    ]
    refused = api.patch(station, json={"alert_ladder": backwards}, headers=admin.headers)
    assert refused.status_code == 422
    ladder = [
        {"step": "call_emergency_contact", "due_minutes": 5},
        {"step": "emergency_services", "due_minutes": 45},
    ]
    changed = api.patch(station, json={"alert_ladder": ladder}, headers=day.coordinator.headers)
    assert changed.status_code == 200, changed.text
    # Unsaid, each step tells its usual people: the later the step, the wider the circle.
    assert changed.json()["alert_ladder"] == [
        ladder[0] | {"notify": ["on_duty"]},
        ladder[1] | {"notify": ["on_duty", "managers", "station_chat"]},
    ]
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    api.post(
        f"/api/me/stops/{door['id']}/outcomes",
        json=outcome("no_answer"),
        headers=day.volunteers[volunteer_id].headers,
    ).raise_for_status()
    alert = api.get(f"{station}/alerts", headers=day.coordinator.headers).json()[0]
    minutes = [
        (datetime.fromisoformat(s["due_at"]) - datetime.fromisoformat(alert["raised_at"]))
        for s in alert["steps"]
    ]
    assert [s["step"] for s in alert["steps"]] == ["call_emergency_contact", "emergency_services"]
    assert minutes == [timedelta(minutes=5), timedelta(minutes=45)]
