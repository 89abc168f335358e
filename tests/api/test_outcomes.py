"""Outcomes over HTTP: stored once per event id even when sent at the same moment, never
overwritten, and only for the volunteer's own stops of a published plan."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from sqlmodel import Session, select

from models import Outcome, Task
from models.enums import TaskStatus
from tests.builders.days import DAY, plan_day
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
