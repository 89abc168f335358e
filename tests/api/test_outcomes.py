"""Outcomes over HTTP: stored once per event id even when sent at the same moment, never
overwritten, and only for the volunteer's own stops of a published plan."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session, col, select

from dispatch.audit import chain
from models import Alert, AuditEvent, Outcome, Task
from models.enums import TaskStatus
from tests.builders.accounts import sign_in
from tests.builders.days import DAY, outcome, plan_day, planned, published
from tests.conftest import RunningServer


def test_outcomes_are_stored_once_never_overwritten_and_only_for_ones_own_stops(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, publish=False)
    plan, boss, route = day.plan, day.coordinator, day.first_route
    me = day.volunteers[route["volunteer_id"]]
    door = day.doors(route["volunteer_id"])[0]

    def post(stop_id: int, event_id: str, kind: str = "delivered") -> httpx.Response:
        body = {
            "client_event_id": event_id,
            "kind": kind,
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        url = f"/api/me/stops/{stop_id}/outcomes"
        return api.post(url, json=body, headers=me.headers)

    assert post(door["id"], uuid.uuid4().hex).status_code == 404  # the plan is a draft
    api.post(
        f"/api/plans/{plan['id']}/publish",
        json={"revision": plan["revision"]},
        headers=boss.headers,
    ).raise_for_status()

    event = uuid.uuid4().hex
    with (
        httpx.Client(base_url=server.url, timeout=30) as other,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):  # eight taps at once
        answers = list(
            pool.map(
                lambda _: other.post(
                    f"/api/me/stops/{door['id']}/outcomes",
                    json={
                        "client_event_id": event,
                        "kind": "no_answer",
                        "recorded_at": datetime.now(UTC).isoformat(),
                        "concern": True,
                    },
                    headers=me.headers,
                ),
                range(8),
            )
        )
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len(session.exec(select(Outcome).where(Outcome.client_event_id == event)).all()) == 1

    correction = post(door["id"], uuid.uuid4().hex, "delivered")
    assert correction.status_code == 201
    history = api.get(f"/api/me/stops/{door['id']}/outcomes", headers=me.headers).json()
    assert [h["kind"] for h in history] == ["no_answer", "delivered"]  # nothing overwritten
    task = session.get(Task, door["task_id"])
    session.refresh(task)
    assert task is not None
    assert task.status is TaskStatus.DONE

    assert post(door["id"], event).status_code == 200  # a retry of the first, much later
    next_door = day.doors(route["volunteer_id"])[1]
    assert post(next_door["id"], event).status_code == 409  # the event id is another stop's
    next_task = session.get(Task, next_door["task_id"])
    assert next_task is not None
    session.refresh(next_task)
    assert next_task.status is not TaskStatus.DONE  # the refused outcome wrote nothing
    others = [r for r in plan["routes"] if r["volunteer_id"] != route["volunteer_id"]]
    for other_route in others:
        for stop in other_route["stops"]:
            assert post(stop["id"], uuid.uuid4().hex).status_code == 404  # not mine
    assert post(999_999, uuid.uuid4().hex).status_code == 404
    started = api.post(
        f"/api/me/routes/{DAY}/started",
        json={"client_event_id": uuid.uuid4().hex, "recorded_at": datetime.now(UTC).isoformat()},
        headers=me.headers,
    )
    assert started.status_code == 204


def test_outcomes_sent_at_once_by_several_volunteers_each_get_their_own_answer(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    """Outcomes that arrive together are written together (dispatch.batches): a bad one among
    them is refused alone, the others are stored once each, alerted and audited."""
    day = plan_day(api, session, clients=8, volunteers=3)
    routes = [r for r in day.plan["routes"] if day.doors(r["volunteer_id"])]
    assert len(routes) >= 2
    first, second = routes[0]["volunteer_id"], routes[1]["volunteer_id"]
    used = uuid.uuid4().hex  # stored before, at the first volunteer's first door

    def body(event: str, kind: str) -> dict[str, str]:
        return {
            "client_event_id": event,
            "kind": kind,
            "recorded_at": datetime.now(UTC).isoformat(),
        }

    def sent(volunteer: int, stop_id: int, event: str, kind: str) -> tuple[int, str]:
        url = f"/api/me/stops/{stop_id}/outcomes"
        headers = day.volunteers[volunteer].headers
        with httpx.Client(base_url=server.url, timeout=30) as phone:
            return phone.post(url, json=body(event, kind), headers=headers).status_code, event

    assert sent(first, day.doors(first)[0]["id"], used, "delivered")[0] == 201
    good = [
        (route["volunteer_id"], door["id"], uuid.uuid4().hex, kind)
        for route in routes
        for door, kind in zip(
            day.doors(route["volunteer_id"]),
            ["no_answer", "delivered", "refused"] * 3,
            strict=False,
        )
    ]
    bad = [
        (second, day.doors(first)[-1]["id"], uuid.uuid4().hex, "delivered"),  # not theirs: 404
        (second, day.doors(second)[0]["id"], used, "delivered"),  # an event id of another stop
        (first, day.doors(first)[0]["id"], used, "delivered"),  # the same again: 200
    ]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = [status for status, _event in pool.map(lambda a: sent(*a), [*good, *bad])]

    assert answers == [201] * len(good) + [404, 409, 200]
    assert [sent(*item)[0] for item in bad] == [404, 409, 200]  # as when sent alone
    events = [event for _v, _s, event, _k in good]
    stored = session.exec(select(Outcome).where(col(Outcome.client_event_id).in_(events))).all()
    assert sorted(o.client_event_id for o in stored) == sorted(events)  # each once
    assert len(session.exec(select(Outcome).where(Outcome.client_event_id == used)).all()) == 1
    no_answers = {o.id for o in stored if o.kind == "no_answer"}
    alerts = session.exec(select(Alert).where(col(Alert.outcome_id).in_(no_answers))).all()
    assert len(alerts) == len(no_answers) > 0
    audited = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "record_outcome",
            col(AuditEvent.entity_id).in_([o.id for o in stored]),
        )
    ).all()
    assert len(audited) == len(stored)
    assert chain.verify(session).intact


def test_a_route_of_a_day_ahead_is_read_not_recorded_on(
    api: httpx.Client, session: Session
) -> None:
    """Tapped on tomorrow's route, "no answer" would raise a false alarm today: a door's
    outcome is refused until its day has begun at the station, by phone and from paper, and
    the phone shows a day ahead without the buttons."""
    day = plan_day(api, session, clients=2, volunteers=1)
    headers = day.coordinator.headers
    today = datetime.now(ZoneInfo(day.station.timezone)).date()
    ahead = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # the next Tuesday
    path = f"/api/stations/{day.station.id}/days/{ahead}"
    api.post(f"{path}/generate", headers=headers).raise_for_status()
    plan = published(api, planned(api, path, headers), headers)
    route = plan["routes"][0]
    me = day.volunteers[route["volunteer_id"]]
    door = next(stop for stop in route["stops"] if stop["kind"] == "door")

    early = api.post(
        f"/api/me/stops/{door['id']}/outcomes", json=outcome("no_answer"), headers=me.headers
    )
    assert early.status_code == 422
    (refusal,) = early.json()["detail"]
    said = f"this route is for {ahead}: what happens on it is recorded on that day"
    assert refusal["msg"] == said
    paper = api.post(
        f"/api/stops/{door['id']}/outcomes", json=outcome("delivered"), headers=headers
    )
    assert paper.status_code == 422
    assert session.exec(select(Outcome).where(Outcome.plan_stop_id == door["id"])).all() == []
    assert session.exec(select(Alert)).all() == []  # no false alarm
    started = api.post(
        f"/api/me/routes/{ahead}/started",
        json={"client_event_id": uuid.uuid4().hex, "recorded_at": datetime.now(UTC).isoformat()},
        headers=me.headers,
    )
    assert started.status_code == 422  # nor does its round start before the day

    sign_in(api, me.user.username)
    phone = api.get(f"/me/{ahead}").text
    assert 'id="ahead"' in phone
    assert 'data-kind="no_answer"' not in phone
    past = api.get(f"/me/{DAY}").text  # a day begun: the buttons, and no note
    assert 'data-kind="no_answer"' in past
    assert 'id="ahead"' not in past
    past_door = day.doors(route["volunteer_id"])[0]  # the same volunteer's, on DAY
    done = api.post(
        f"/api/me/stops/{past_door['id']}/outcomes", json=outcome("delivered"), headers=me.headers
    )
    assert done.status_code == 201, done.text


def test_an_outcome_the_server_cannot_read_is_refused_with_what_to_change(
    api: httpx.Client, session: Session
) -> None:
    """The phone's outcome reads its token and body itself (no FastAPI dependencies): the
    answers are still those of every other endpoint, and nothing is stored."""
    day = plan_day(api, session)
    route = day.first_route
    me = day.volunteers[route["volunteer_id"]]
    door = day.doors(route["volunteer_id"])[0]
    url = f"/api/me/stops/{door['id']}/outcomes"
    good = {"client_event_id": uuid.uuid4().hex, "kind": "delivered"}
    good["recorded_at"] = datetime.now(UTC).isoformat()

    assert api.post(url, json=good).status_code == 401
    assert api.post(url, json=good, headers={"Authorization": "Basic eDp5"}).status_code == 401
    not_text = api.post(url, content=b"\xc8\xb3{", headers=me.headers | _JSON)
    assert not_text.status_code == 422, not_text.text
    assert not_text.json()["code"] == "invalid_input"
    assert not_text.json()["detail"][0]["loc"] == ["body"]
    missing = api.post(url, json={"kind": "delivered"}, headers=me.headers)
    assert missing.status_code == 422
    assert {tuple(p["loc"]) for p in missing.json()["detail"]} == {
        ("body", "client_event_id"),
        ("body", "recorded_at"),
    }
    unknown_kind = api.post(url, json=good | {"kind": "teleported"}, headers=me.headers)
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    assert session.exec(select(Outcome).where(Outcome.plan_stop_id == door["id"])).all() == []

    stored = api.post(url, json=good, headers=me.headers)
    assert stored.status_code == 201, stored.text
    assert stored.json()["kind"] == "delivered"
    schema = api.get("/openapi.json").json()["paths"]["/api/me/stops/{stop_id}/outcomes"]["post"]
    body = schema["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/OutcomeCreate"}
    assert schema["security"] == [{"OAuth2PasswordBearer": []}]


_JSON = {"Content-Type": "application/json"}
