"""The sender as its own process: killed mid-batch and started again, and as a worker's
notify lane, woken through the broker."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.config import Settings
from models import Notification
from models.enums import NoticeStatus
from tests.builders.days import PlannedDay, outcome, plan_day
from tests.builders.notifications import make_sender, outbox, prefer
from tests.conftest import RunningServer
from tests.processes import Notifier, Worker, until
from tests.standins import SmtpServer, smtp_server


def family_messages(api: httpx.Client, session: Session, clients: int) -> tuple[PlannedDay, int]:
    """A published day whose every planned client's family opted in to e-mail, and every
    door recorded as delivered: one message per door in the outbox (and their number)."""
    day = plan_day(api, session, clients=clients, volunteers=2)
    for route in day.plan["routes"]:
        me = day.volunteers[route["volunteer_id"]]
        for door in day.doors(route["volunteer_id"]):
            prefer(
                api,
                day,
                audience="family",
                person_id=door["client_id"],
                channel="email",
                address=f"family{door['client_id']}@example.org",
                consent_on="2026-11-01",
            )
            api.post(
                f"/api/me/stops/{door['id']}/outcomes",
                json=outcome("delivered"),
                headers=me.headers,
            ).raise_for_status()
    doors = sum(len(day.doors(route["volunteer_id"])) for route in day.plan["routes"])
    assert len(outbox(api, day)) == doors
    return day, doors


def smtp_env(smtp: SmtpServer, server: RunningServer) -> dict[str, str]:
    return {
        "CAREROUTE_SMTP_HOST": "127.0.0.1",
        "CAREROUTE_SMTP_PORT": str(smtp.port),
        "CAREROUTE_PUBLIC_URL": server.url,
    }


def test_a_sender_killed_mid_batch_and_started_again_sends_each_message_once(
    api: httpx.Client,
    session: Session,
    database_url: str,
    tmp_path: Path,
    server: RunningServer,
) -> None:
    day, doors = family_messages(api, session, clients=8)
    with smtp_server() as smtp:
        # A pause between two messages, as a rate limit makes: the kill lands in one.
        env = smtp_env(smtp, server) | {"CAREROUTE_NOTIFY_PAUSE_SECONDS": "0.5"}
        first = Notifier(database_url, tmp_path, env)
        until(lambda: len(smtp.messages) >= 3, 60, "the sender did not send three messages")
        time.sleep(0.2)  # the third's result written; the fourth not begun
        first.stop(signal.SIGKILL)
        sent_before = len(smtp.messages)
        assert 3 <= sent_before < doors
        second = Notifier(database_url, tmp_path, env)
        until(lambda: len(smtp.messages) >= doors, 60, "the second sender did not send the rest")
        until(
            lambda: {m["status"] for m in outbox(api, day)} == {"sent"},
            10,
            "the second sender did not write what it sent",
        )
        time.sleep(1.0)  # nothing more comes
        second.stop(signal.SIGTERM)
        ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == doors
    assert len(set(ids)) == doors  # each message exactly once
    messages = outbox(api, day)
    assert {m["status"] for m in messages} == {"sent"}
    assert all(len(m["log"]) == 1 for m in messages)


def test_a_message_whose_sender_died_while_sending_it_is_sent_again(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
) -> None:
    """Not knowing whether it arrived, the next sender tells again (the same Message-ID)."""
    day, _doors = family_messages(api, session, clients=1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    [row] = session.exec(select(Notification)).all()
    row.status = NoticeStatus.SENDING
    row.taken_by = f"{socket.gethostname()}:{dead.pid}"
    row.attempts = 1
    session.add(row)
    session.commit()
    with smtp_server() as smtp:
        mailer = make_sender(engine, settings, server, smtp=smtp)
        assert mailer.run_once() == 1
        [mail] = smtp.messages
    assert mail["Message-ID"] == f"<notification-{row.id}@careroute>"
    [message] = outbox(api, day)
    assert message["status"] == "sent"
    assert [a["ok"] for a in message["log"]] == [False, True]
    assert "stopped while sending" in message["log"][0]["detail"]


def test_a_worker_on_the_notify_lane_sends_what_a_server_wrote(
    api: httpx.Client,
    session: Session,
    database_url: str,
    tmp_path: Path,
    server: RunningServer,
    broker: str,
) -> None:
    day, doors = family_messages(api, session, clients=2)
    with smtp_server() as smtp:
        worker = Worker(
            database_url,
            tmp_path,
            broker,
            env=smtp_env(smtp, server) | {"CAREROUTE_NOTIFY_INTERVAL_SECONDS": "1"},
        )
        try:
            until(lambda: len(smtp.messages) == doors, 60, "the worker did not send them")
            # The last one's result is written just after the SMTP server took it.
            until(
                lambda: {m["status"] for m in outbox(api, day)} == {"sent"},
                10,
                "the worker did not write what it sent",
            )
        finally:
            worker.stop(signal.SIGTERM)
    assert len(smtp.messages) == doors  # each once
