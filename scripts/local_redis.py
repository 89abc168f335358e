"""A Redis of one's own on a free port of this machine, keeping nothing on disk: for the
tests of the planning queue and for `scripts/simulate_city.py`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

_NOTHING_ON_DISK = ("--save", "", "--appendonly", "no")


def redis_program() -> str | None:
    """The redis-server program, if installed (Debian: apt-get install redis-server)."""
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")


class RedisServer:
    def __init__(self, program: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", *_NOTHING_ON_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 20
        while not self._answers():
            assert self.process.poll() is None, "redis-server did not start"
            assert time.monotonic() < deadline, "redis-server did not start in time"
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
