"""Migrations run up from an empty database and down again, and match the models."""

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, make_url, text
from sqlmodel import Session, SQLModel

from dispatch import migrate
from dispatch.audit import chain
from dispatch.db import make_engine
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_engine(tmp_path: os.PathLike[str]) -> Iterator[Engine]:
    if not POSTGRES_URL:
        engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
        yield engine
        engine.dispose()
        return
    name = f"careroute_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    )
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_then_downgrade_and_upgrade_again(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables

    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(empty_engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_the_migrations_match_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_events_written_before_the_chain_join_it_in_order(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0008")
    with empty_engine.begin() as connection:
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO audit_event (at, interface, action, entity, changes) "
                    "VALUES (:at, 'cli', 'create', 'client', :changes)"
                ),
                {"at": f"2026-11-2{n} 08:00:00+00:00", "changes": f'{{"name": [null, "客户{n}"]}}'},
            )
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        report = chain.verify(session)
    assert report.problems == []
    assert report.events == 3
