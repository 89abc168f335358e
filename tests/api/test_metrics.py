"""`/metrics` tells a city's monitoring, in Prometheus' text format, what the database says
now: the planning queue, the messages, the open alerts, the day's outcomes, the audit
trail's anchoring; only to whoever sends the configured token, and not at all without one."""

import asyncio
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from dispatch.app import create_app
from dispatch.audit import chain
from dispatch.config import Settings
from dispatch.container import Services
from tests.builders.days import outcome, plan_day, plan_today, record_outcome
from tests.builders.notifications import prefer
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


def test_metrics_count_what_the_database_holds_for_whoever_has_the_token(
    api: httpx.Client, session: Session, settings: Settings
) -> None:
    before = _scrape(api)
    assert before[("careroute_alerts_open", ())] == 0
    assert before[("careroute_outcomes", (("kind", "no_answer"),))] == 0

    day = plan_today(api, session, settings.timezone)  # one planning job, succeeded
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
