"""`/metrics` tells a city's monitoring, in Prometheus' text format, what the database says
now: the planning queue, the messages, the open alerts, the day's outcomes, the audit
trail's anchoring; only to whoever sends the configured token, and not at all without one."""

import asyncio
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from dispatch.app import create_app
from dispatch.audit import chain
from dispatch.config import Settings
from dispatch.container import Services
from models.enums import Role
from tests.builders.accounts import create_account
from tests.builders.days import PlannedDay, outcome, plan_day, planned, published, record_outcome
from tests.builders.notifications import prefer
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)
from tests.conftest import METRICS_TOKEN

SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def _scrape(api: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = api.get("/metrics", headers=SCRAPER)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _today_planned(api: httpx.Client, session: Session, zone: str) -> PlannedDay:
    """Three clients served today (in the city's time zone) by one volunteer, published."""
    today = datetime.now(ZoneInfo(zone)).date()
    station = create_station(session, timezone=zone, observes_public_holidays=False)
    kitchen = create_site(session, station=station)
    for n in range(3):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 300)
        create_schedule(
            session, client=client, site=kitchen, weekdays=list(range(7)), start_date=today
        )
    helper = create_volunteer(session, station=station, name="志愿者甲")
    create_availability(session, volunteer=helper, weekday=today.weekday(), start_time=time(10))
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    me = create_account(session, role=Role.VOLUNTEER, volunteer=helper)
    session.commit()
    path = f"/api/stations/{station.id}/days/{today}"
    api.post(f"{path}/generate", headers=boss.headers).raise_for_status()
    plan = published(api, planned(api, path, boss.headers), boss.headers)
    return PlannedDay(station=station, coordinator=boss, volunteers={ident(helper): me}, plan=plan)


def test_metrics_count_what_the_database_holds_for_whoever_has_the_token(
    api: httpx.Client, session: Session, settings: Settings
) -> None:
    before = _scrape(api)
    assert before[("careroute_alerts_open", ())] == 0
    assert before[("careroute_outcomes", (("kind", "no_answer"),))] == 0

    day = _today_planned(api, session, settings.timezone)  # one planning job, succeeded
    staff = day.coordinator.user.id
    prefer(api, day, audience="staff", person_id=staff, channel="email", address="co@example.org")
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    first, second = day.doors(volunteer_id)[:2]
    record_outcome(api, first["id"], me.headers, outcome("delivered"))
    record_outcome(api, second["id"], me.headers, outcome("no_answer"))  # an alert, a message
    plan_day(api, session)  # a day of another date: its job and doors are not today's

    now = _scrape(api)
    assert now[("careroute_planning_jobs", (("status", "succeeded"),))] == 1
    assert now[("careroute_planning_jobs", (("status", "failed"),))] == 0
    assert now[("careroute_planning_queue_oldest_seconds", ())] == 0
    assert now[("careroute_outcomes", (("kind", "delivered"),))] == 1
    assert now[("careroute_outcomes", (("kind", "no_answer"),))] == 1
    assert now[("careroute_alerts_open", ())] == 1
    assert 0 <= now[("careroute_alerts_open_oldest_seconds", ())] < 600
    assert now[("careroute_notifications", (("status", "pending"),))] >= 1  # told to staff
    chain.anchor(session)  # as a writer does every five minutes
    session.commit()
    assert 0 <= _scrape(api)[("careroute_audit_anchor_age_seconds", ())] < 60

    assert api.get("/metrics").status_code == 401
    wrong = api.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "not_authenticated"
    assert "/metrics" not in api.get("/openapi.json").text
    # Nothing of any person: names and addresses stay out of it.
    text = api.get("/metrics", headers=SCRAPER).text
    assert "co@example.org" not in text
    assert not re.search(r"[\u4e00-\u9fff]", text)  # no client's or volunteer's name


def test_without_a_token_there_is_no_metrics_endpoint(
    settings: Settings, services: Services
) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": None}), services)

    async def ask() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/metrics", headers=SCRAPER)).status_code

    assert asyncio.run(ask()) == 404
