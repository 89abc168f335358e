"""Servers in processes of their own, to be stopped and killed for real."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CAREROUTE = Path(sys.executable).parent / "careroute"


class Server:
    """`careroute serve` on a free port of this machine, on the tests' database."""

    def __init__(self, database_url: str, data_dir: Path, port: int | None = None) -> None:
        """`port`: the one of a server stopped before (the same origin for the browser)."""
        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        self.port = port
        env = os.environ | {
            "CAREROUTE_DATABASE_URL": database_url,
            "CAREROUTE_DATA_DIR": str(data_dir),
            "CAREROUTE_SECRET_KEY": "test-secret",
            "CAREROUTE_GEOCODER": "none",
        }
        self.process = subprocess.Popen(
            [str(CAREROUTE), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, "the server did not start"
            assert time.monotonic() < deadline, "the server did not start in time"
            time.sleep(0.2)

    def stop(self, how: signal.Signals) -> None:
        self.process.send_signal(how)
        self.process.wait(timeout=30)
