"""Servers in processes of their own, to be stopped and killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from scripts.local_redis import RedisServer, free_port

__all__ = [
    "Notifier",
    "RedisServer",
    "Server",
    "Worker",
    "alive",
    "children",
    "free_port",
    "until",
]

CAREROUTE = Path(sys.executable).parent / "careroute"


class Server:
    """`careroute serve` on a free port of this machine, on the tests' database."""

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        """`port`: the one of a server stopped before (the same origin for the browser);
        `env`: more settings; `workers`: server processes."""
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [str(CAREROUTE), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=_environment(database_url, data_dir) | (env or {}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        # Generous: two server processes on PostgreSQL, beside another test worker's solves on
        # a slow 2-core CI machine, once took more than 60 s to answer.
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.url}/livez", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, "the server did not start"
            assert time.monotonic() < deadline, "the server did not start in time"
            time.sleep(0.2)

    def stop(self, how: signal.Signals) -> None:
        self.process.send_signal(how)
        self.process.wait(timeout=30)


class Worker:
    """`careroute worker` planning jobs from the broker at `broker_url`."""

    def __init__(
        self, database_url: str, data_dir: Path, broker_url: str, env: dict[str, str] | None = None
    ) -> None:
        self.process = subprocess.Popen(
            [str(CAREROUTE), "worker"],
            env=_environment(database_url, data_dir)
            | {"CAREROUTE_BROKER_URL": broker_url}
            | (env or {}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self, how: signal.Signals) -> None:
        self.process.send_signal(how)
        self.process.wait(timeout=60)


class Notifier:
    """`careroute notify`: a sender of its own, sending the outbox's messages."""

    def __init__(self, database_url: str, data_dir: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(CAREROUTE), "notify"],
            env=_environment(database_url, data_dir) | env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self, how: signal.Signals) -> None:
        self.process.send_signal(how)
        self.process.wait(timeout=30)


def _environment(database_url: str, data_dir: Path) -> dict[str, str]:
    return os.environ | {
        "CAREROUTE_DATABASE_URL": database_url,
        "CAREROUTE_DATA_DIR": str(data_dir),
        "CAREROUTE_SECRET_KEY": "test-secret",
        "CAREROUTE_GEOCODER": "none",
        # One search per plan: two test workers share two cores (a test asks for more).
        "CAREROUTE_PLANNER_CORES": "1",
    }


def until(check: Callable[[], object], seconds: float, what: str) -> None:
    """Wait for `check` to hold, failing with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def children(pid: int) -> list[int]:
    """The processes `pid` has started and not yet reaped (Linux)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def alive(pid: int) -> bool:
    """Whether the process runs (a child of ours that ended stays a zombie until reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"
