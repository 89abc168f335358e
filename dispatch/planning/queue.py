"""Planning jobs on a distributed queue: Celery, with Redis as the broker.

A server hands each job to the broker (`CeleryQueue.submit`); `careroute worker` processes
take them one at a time per solver slot and plan them through the same runner and service
as a server without a broker, so progress, heartbeat, cancel and the result live in the
database as before. Two lanes: urgent re-plans, which a worker always takes first, and the
morning's first plans. A message is acknowledged only when its job has ended (late
acknowledgement): the broker hands out again the job of a worker killed mid-plan, and the
service begins it once more at most.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import redis
from celery import Celery
from kombu import Queue  # type: ignore[attr-defined]

from dispatch.config import Settings

log = logging.getLogger(__name__)

URGENT, BULK = "careroute.urgent", "careroute.bulk"
# Messages to send (dispatch.notifications): a worker serving it runs the sender.
NOTIFY = "careroute.notify"
LANES = {"urgent": URGENT, "bulk": BULK, "notify": NOTIFY}
TASK = "careroute.plan"
NOTIFY_TASK = "careroute.notify"
# Each worker says it is alive under this key prefix, every BEAT seconds, for TTL seconds.
WORKER_KEY = "careroute:worker:"
BEAT_SECONDS, TTL_SECONDS = 5, 15


def celery_app(settings: Settings) -> Celery:
    assert settings.broker_url, "the planning queue needs CAREROUTE_BROKER_URL"
    app = Celery("careroute", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_queues=[Queue(URGENT), Queue(BULK), Queue(NOTIFY)],  # type: ignore[no-untyped-call]
        task_default_queue=BULK,
        task_acks_late=True,  # the job's message stays with the broker until the job ended
        task_reject_on_worker_lost=True,
        task_ignore_result=True,  # results live in the database
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,  # a busy worker holds no second job back from others
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.broker_visibility_seconds,
            # The lanes are read in the order a worker lists them: urgent first.
            "queue_order_strategy": "priority",
        },
        # A publish to a broker that is down fails after about a second, not a minute.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.3},
    )
    return app


class CeleryQueue:
    """The servers' side: hand a job to the broker."""

    def __init__(self, settings: Settings) -> None:
        self.app = celery_app(settings)

    def submit(self, job_id: int, urgent: bool) -> None:
        self.app.send_task(TASK, args=[job_id], queue=URGENT if urgent else BULK, retry=True)

    def wake_sender(self) -> None:
        """Messages were written: a sender may send them now rather than at its next pass
        (if the broker is away, that next pass sends them)."""
        try:
            self.app.send_task(NOTIFY_TASK, queue=NOTIFY, retry=False)
        except Exception:
            log.warning("could not wake a notification sender; its next pass sends")


@dataclass(frozen=True)
class WorkerSeen:
    name: str
    queues: list[str]
    solvers: int
    busy: int


def workers_alive(settings: Settings) -> list[WorkerSeen]:
    """The workers that said they were alive in the last few seconds."""
    assert settings.broker_url
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{WORKER_KEY}*", count=1000))
        values = client.mget(keys) if keys else []
    finally:
        client.close()
    seen = []
    for value in values:
        if value:
            data = json.loads(value)
            seen.append(WorkerSeen(data["name"], data["queues"], data["solvers"], data["busy"]))
    return sorted(seen, key=lambda worker: worker.name)
