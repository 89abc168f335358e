"""`careroute worker`: plans jobs from the planning queue and, on the notify lane, sends
the outbox's messages."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from typing import Any

import redis

from dispatch.config import Settings
from dispatch.container import build_services, travel_matrices
from dispatch.db import make_engine
from dispatch.geocoding.service import build_geocoder
from dispatch.notifications.sender import sender as notification_sender
from dispatch.planning.queue import (
    BEAT_SECONDS,
    LANES,
    NOTIFY,
    NOTIFY_TASK,
    TASK,
    TTL_SECONDS,
    WORKER_KEY,
    celery_app,
)

log = logging.getLogger(__name__)


def run_worker(settings: Settings, lanes: list[str], solvers: int) -> None:
    """Plan jobs from the broker until stopped: `solvers` jobs at a time, each solver in a
    process of its own started by this one. With the notify lane, a sender sends messages
    pass after pass, and at once when a server says it wrote some."""
    app = celery_app(settings)
    engine = make_engine(settings.resolved_database_url)
    services = build_services(
        build_geocoder(settings), travel_matrices(settings), planner_cores=settings.planner_cores
    )
    name = f"careroute-{os.getpid()}@{socket.gethostname()}"
    queues = [LANES[lane] for lane in lanes]
    busy = _Busy()

    @app.task(name=TASK, bind=True)  # type: ignore[untyped-decorator]
    def plan(task: Any, job_id: int) -> None:
        with busy:
            services.planning.run_queued(engine, job_id)

    if NOTIFY in queues:
        sender = notification_sender(engine, settings)

        @app.task(name=NOTIFY_TASK)  # type: ignore[untyped-decorator]
        def notify() -> None:
            sender.wake()

        threading.Thread(
            target=sender.run,
            args=(threading.Event(), settings.notify_interval_seconds),
            name="notification-sender",
            daemon=True,
        ).start()

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
            # A wake-up of the sender may wait behind a plan: the sender's own passes send.
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
