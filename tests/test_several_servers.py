"""Several server processes on one PostgreSQL and one Redis: a request may land on any of
them, and what they must share (sessions, the login throttle, planning jobs) is shared."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import PASSWORD, create_user
from tests.conftest import POSTGRES_URL
from tests.processes import CAREROUTE, Server


def test_several_server_processes_are_refused_on_sqlite(tmp_path: Path) -> None:
    env = os.environ | {
        "CAREROUTE_DATABASE_URL": f"sqlite:///{tmp_path / 'one.db'}",
        "CAREROUTE_DATA_DIR": str(tmp_path),
    }
    refused = subprocess.run(
        [str(CAREROUTE), "serve", "--workers", "2"], env=env, capture_output=True, timeout=60
    )
    assert refused.returncode == 2
    assert b"needs PostgreSQL" in refused.stderr
    assert not (tmp_path / "one.db").exists()  # refused before anything was written


@pytest.fixture
def servers(database_url: str, tmp_path: Path, broker: str) -> Iterator[list[Server]]:
    if not POSTGRES_URL:
        pytest.skip("several server processes need PostgreSQL (CAREROUTE_TEST_DATABASE_URL)")
    pair = [Server(database_url, tmp_path, env={"CAREROUTE_BROKER_URL": broker}) for _ in range(2)]
    yield pair
    for server in pair:
        server.process.kill()
        server.process.wait(timeout=30)


def test_requests_alternating_between_two_servers_share_sessions_and_the_throttle(
    session: Session, servers: list[Server]
) -> None:
    user = create_user(session, role=Role.COORDINATOR)
    session.commit()
    turns = itertools.cycle(servers)
    with httpx.Client(timeout=30) as http:
        logged_in = http.post(
            f"{next(turns).url}/api/auth/login",
            json={"username": user.username, "password": PASSWORD},
        )
        assert logged_in.status_code == 200, logged_in.text
        token = logged_in.json()["access_token"]
        for _ in range(4):  # the session made on one server is known on both
            me = http.get(
                f"{next(turns).url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
            )
            assert me.status_code == 200, me.text
            assert me.json()["username"] == user.username
        # Five failures, alternating: the sixth attempt is refused wherever it lands.
        wrong = {"username": user.username, "password": "not the password"}
        answers = [http.post(f"{next(turns).url}/api/auth/login", json=wrong) for _ in range(6)]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        right = http.post(
            f"{next(turns).url}/api/auth/login",
            json={"username": user.username, "password": PASSWORD},
        )
        assert right.status_code == 429  # the wait holds on the other process too


def test_serve_with_two_workers_answers_on_one_port(
    database_url: str, tmp_path: Path, broker: str
) -> None:
    if not POSTGRES_URL:
        pytest.skip("several server processes need PostgreSQL (CAREROUTE_TEST_DATABASE_URL)")
    server = Server(database_url, tmp_path, env={"CAREROUTE_BROKER_URL": broker}, workers=2)
    try:
        answers = [httpx.get(f"{server.url}/livez", timeout=10) for _ in range(20)]
        assert all(answer.status_code == 200 for answer in answers)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        assert len(children.read_text().split()) >= 2  # the two server processes
    finally:
        server.stop(signal.SIGTERM)  # the parent stops its server processes
