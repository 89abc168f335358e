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
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery
from kombu import Queue  # type: ignore[attr-defined]

from dispatch.config import Settings

log = logging.getLogger(__name__)

URGENT, BULK = "careroute.urgent", "careroute.bulk"
LANES = {"urgent": URGENT, "bulk": BULK}
TASK = "careroute.plan"
# Each worker says it is alive under this key prefix, every BEAT seconds, for TTL seconds.
WORKER_KEY = "careroute:worker:"
BEAT_SECONDS, TTL_SECONDS = 5, 15


def celery_app(settings: Settings) -> Celery:
    assert settings.broker_url, "the planning queue needs CAREROUTE_BROKER_URL"
    app = Celery("careroute", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_queues=[Queue(URGENT), Queue(BULK)],  # type: ignore[no-untyped-call]
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


def run_worker(settings: Settings, lanes: list[str], solvers: int) -> None:
    """Plan jobs from the broker until stopped: `solvers` jobs at a time, each solver in a
    process of its own started by this one."""
    from dispatch.container import build_services, travel_matrices
    from dispatch.db import make_engine
    from dispatch.geocoding.service import build_geocoder

    app = celery_app(settings)
    engine = make_engine(settings.resolved_database_url)
    services = build_services(build_geocoder(settings), travel_matrices(settings))
    name = f"careroute-{os.getpid()}@{socket.gethostname()}"
    queues = [LANES[lane] for lane in lanes]
    busy = _Busy()

    @app.task(name=TASK, bind=True)  # type: ignore[untyped-decorator]
    def plan(task: Any, job_id: int) -> None:
        with busy:
            services.planning.run_queued(engine, job_id)

    beat = threading.Thread(
        target=_say_alive,
        args=(settings, name, queues, solvers, busy),
        name="worker-alive",
        daemon=True,
    )
    beat.start()
    app.worker_main(
        [
            "worker",
            "--pool=threads",  # a job's thread only watches: its solver runs in a process
            f"--concurrency={solvers}",
            f"--queues={','.join(queues)}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
    )


class _Busy:
    """How many jobs this worker plans now."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self.count += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self.count -= 1


def _say_alive(settings: Settings, name: str, queues: list[str], solvers: int, busy: _Busy) -> None:
    assert settings.broker_url
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
    while True:
        value = json.dumps({"name": name, "queues": queues, "solvers": solvers, "busy": busy.count})
        try:
            client.set(f"{WORKER_KEY}{name}", value, ex=TTL_SECONDS)
        except redis.RedisError:  # the broker is away: the worker's own connection says so
            log.warning("worker %s could not say it is alive", name)
        time.sleep(BEAT_SECONDS)
