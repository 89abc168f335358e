"""Messages through the API and a sender as `careroute notify` builds one."""

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from dispatch.config import Settings
from dispatch.notifications.sender import Sender, sender
from tests.builders.days import PlannedDay, outcome, record_outcome
from tests.builders.records import ident
from tests.conftest import RunningServer
from tests.standins import SECRET_ID, SECRET_KEY, HttpStandIn, SmtpServer


def make_sender(
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    *,
    smtp: SmtpServer | None = None,
    sms: HttpStandIn | None = None,
    sms_key: str = SECRET_KEY,
) -> Sender:
    """A sender as `careroute notify` builds one, its channels pointed at the stand-ins."""
    more: dict[str, Any] = {"public_url": server.url}
    if smtp:
        more |= {"smtp_host": "127.0.0.1", "smtp_port": smtp.port}
    if sms:
        more |= {
            "sms_secret_id": SECRET_ID,
            "sms_secret_key": sms_key,
            "sms_app_id": "1400000000",
            "sms_sign_name": "社工站",
            "sms_templates": {"family_delivered": "100001", "family_no_answer": "100002"},
            "sms_endpoint": sms.url,
            "sms_scheme": "http",
        }
    return sender(engine, settings.model_copy(update=more))


def prefer(api: httpx.Client, day: PlannedDay, **fields: Any) -> dict[str, Any]:
    answer = api.post(
        "/api/contact-preferences",
        json={"station_id": ident(day.station)} | fields,
        headers=day.coordinator.headers,
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def coordinator_on_duty_in_chat(api: httpx.Client, day: PlannedDay, chat: str) -> None:
    """The day's coordinator, on duty, told in a chat at `chat` (a webhook stand-in's
    address)."""
    prefer(
        api,
        day,
        audience="staff",
        person_id=ident(day.coordinator.user),
        channel="chat",
        address=chat,
        on_duty=True,
    )


def outbox(api: httpx.Client, day: PlannedDay) -> list[dict[str, Any]]:
    answer = api.get(
        f"/api/stations/{ident(day.station)}/notifications", headers=day.coordinator.headers
    )
    answer.raise_for_status()
    messages: list[dict[str, Any]] = answer.json()["items"]
    return messages


def no_answer_raised(api: httpx.Client, day: PlannedDay) -> tuple[dict[str, Any], datetime]:
    """Nobody answers at the first door of the day's first route: the door, and when the
    alert it raised was raised."""
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    record_outcome(api, door["id"], day.volunteers[volunteer_id].headers, outcome("no_answer"))
    alert = api.get(
        f"/api/stations/{ident(day.station)}/alerts", headers=day.coordinator.headers
    ).json()[0]
    return door, datetime.fromisoformat(alert["raised_at"])
