"""Who a token stands for, kept in each server process: a change made through one process
reaches every other within seconds, through the auth epoch in the database."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.auth.cache import SignedIn, SignedInCache, read_epoch
from dispatch.users.schemas import UserPublic
from models.common import utcnow
from models.enums import Role
from tests.builders.accounts import PASSWORD, create_user
from tests.builders.records import ident
from tests.processes import Server


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[list[httpx.Client]]:
    """Two `careroute serve` processes on the tests' database (SQLite takes two processes
    with one writer at a time), each with its own cache."""
    servers = [Server(database_url, tmp_path) for _ in range(2)]
    try:
        with (
            httpx.Client(base_url=servers[0].url, timeout=30) as one,
            httpx.Client(base_url=servers[1].url, timeout=30) as other,
        ):
            yield [one, other]
    finally:
        for server in servers:
            server.process.kill()
            server.process.wait(timeout=30)


def test_a_logout_on_one_server_process_is_refused_by_another_within_seconds(
    session: Session, two_servers: list[httpx.Client]
) -> None:
    one, other = two_servers
    create_user(session, role=Role.COORDINATOR, username="lin")
    session.commit()
    token = one.post("/api/auth/token", data={"username": "lin", "password": PASSWORD}).json()[
        "access_token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert other.get("/api/auth/me", headers=bearer).status_code == 200  # now kept there

    assert one.post("/api/auth/logout", headers=bearer).status_code == 204

    deadline = time.monotonic() + 5
    while other.get("/api/auth/me", headers=bearer).status_code == 200:
        assert time.monotonic() < deadline, "the other process still takes the ended session"
        time.sleep(0.2)
    assert other.get("/api/auth/me", headers=bearer).status_code == 401


def test_an_account_archived_on_one_server_process_loses_its_rights_on_another(
    session: Session, two_servers: list[httpx.Client]
) -> None:
    one, other = two_servers
    create_user(session, role=Role.ADMIN, username="root")
    leaving = create_user(session, role=Role.MANAGER, username="leaving")
    session.commit()
    tokens = {
        name: one.post("/api/auth/token", data={"username": name, "password": PASSWORD}).json()[
            "access_token"
        ]
        for name in ("root", "leaving")
    }
    leaving_bearer = {"Authorization": f"Bearer {tokens['leaving']}"}
    assert other.get("/api/auth/me", headers=leaving_bearer).status_code == 200

    archived = one.post(
        f"/api/users/{ident(leaving)}/archive",
        headers={"Authorization": f"Bearer {tokens['root']}"},
    )
    assert archived.status_code == 200

    deadline = time.monotonic() + 5
    while other.get("/api/auth/me", headers=leaving_bearer).status_code != 401:
        assert time.monotonic() < deadline, "the other process still takes the archived account"
        time.sleep(0.2)


def test_a_login_leaves_the_epoch_where_it_was_and_a_logout_moves_it(
    api: httpx.Client, session: Session, engine: Engine
) -> None:
    create_user(session, role=Role.VOLUNTEER, username="wang")
    session.commit()
    before = read_epoch(engine)

    token = api.post("/api/auth/token", data={"username": "wang", "password": PASSWORD}).json()[
        "access_token"
    ]

    # Logins all morning must not empty every process's cache: a new token and the
    # account's last login change nothing a kept token stands for.
    assert read_epoch(engine) == before
    assert api.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code
    assert read_epoch(engine) == (before or 0) + 1


def test_an_answer_read_before_the_epoch_moved_is_not_kept() -> None:
    cache = SignedInCache(seconds=300)
    cache.observe(4)
    key = ("digest", "api")
    answer = SignedIn(_principal(), _user(), expires_at=utcnow().replace(year=2100))

    cache.put(key, answer, epoch=3)  # read while the epoch was older: may predate a change
    assert cache.get(key) is None

    cache.put(key, answer, epoch=4)
    assert cache.get(key) == answer
    cache.observe(5)  # another process changed something: nothing kept holds
    assert cache.get(key) is None


def _principal() -> Principal:
    return Principal(user_id=1, role=Role.VOLUNTEER, station_ids=frozenset({1}), volunteer_id=1)


def _user() -> UserPublic:
    now = utcnow()
    return UserPublic(
        id=1,
        created_at=now,
        updated_at=now,
        archived_at=None,
        username="wang",
        display_name="王",
        role=Role.VOLUNTEER,
        volunteer_id=1,
        station_ids=[1],
        last_login_at=None,
    )
