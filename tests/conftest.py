"""Real parts: a migrated database (SQLite, or PostgreSQL when CAREROUTE_TEST_DATABASE_URL
names a server), a real uvicorn server on a free port, and a local Nominatim stand-in.

Each xdist worker gets its own database and server; every test starts from empty tables.
"""

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from dispatch import migrate
from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.container import Services, build_services
from dispatch.db import make_engine
from dispatch.geocoding.service import build_geocoder
from scripts.local_redis import RedisServer, redis_program
from tests.stub_nominatim import StubNominatim, running_stub

POSTGRES_URL = os.environ.get("CAREROUTE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'careroute.db'}"
        return
    # A fresh database on the given server for this worker, dropped afterwards.
    url = create_database("careroute_test")
    yield url
    drop_database(url)


def create_database(prefix: str, encoding: str = "UTF8") -> str:
    """A new database on the PostgreSQL server of the tests, in `encoding` whatever the
    server's default is (with the C locale, which goes with any encoding): its URL."""
    assert POSTGRES_URL
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f"CREATE DATABASE \"{name}\" ENCODING '{encoding}' "
                "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
            )
        )
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    assert POSTGRES_URL
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def broker() -> Iterator[str]:
    """A Redis of the test's own (the planning queue, shared login throttling);
    CAREROUTE_TEST_REDIS_URL names one to use instead."""
    given = os.environ.get("CAREROUTE_TEST_REDIS_URL")
    if given:
        yield given
        return
    program = redis_program()
    if program is None:
        pytest.skip(
            "redis-server is not installed (Debian: apt-get install redis-server), and "
            "CAREROUTE_TEST_REDIS_URL names no Redis to use"
        )
    redis = RedisServer(program)
    yield redis.url
    redis.stop()


@pytest.fixture(scope="session")
def nominatim() -> Iterator[StubNominatim]:
    with running_stub() as stub:
        yield stub


METRICS_TOKEN = "metrics-token-of-the-tests"


@pytest.fixture(scope="session")
def settings(
    database_url: str, nominatim: StubNominatim, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret",
        metrics_token=METRICS_TOKEN,
        geocoder="nominatim",
        nominatim_domain=nominatim.url,
        nominatim_scheme="http",
        geocoder_min_delay_seconds=0,
        geocoder_timeout_seconds=5,
    )


@pytest.fixture(scope="session")
def services(settings: Settings) -> Services:
    return build_services(build_geocoder(settings))


@dataclass(frozen=True)
class RunningServer:
    url: str
    app: FastAPI


@pytest.fixture(scope="session")
def server(engine: Engine, settings: Settings, services: Services) -> Iterator[RunningServer]:
    """The real application behind real HTTP on 127.0.0.1."""
    app = create_app(settings, services)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    uv_server = uvicorn.Server(config)
    thread = threading.Thread(target=uv_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv_server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield RunningServer(url=f"http://127.0.0.1:{port}", app=app)
    uv_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from empty tables and a fresh login limiter."""
    yield
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    # A background task of the test (geocoding after an import) may still be writing; on
    # PostgreSQL the TRUNCATE can then deadlock with it: try again once it has finished.
    for attempt in range(10):
        try:
            _delete_all_rows(engine)
            break
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.2)
    if "server" in request.fixturenames:
        running: RunningServer = request.getfixturevalue("server")
        running.app.state.login_limiter.reset()


def _delete_all_rows(engine: Engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
