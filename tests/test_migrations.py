"""Migrations run up from an empty database and down again, and match the models."""

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel, col, select

from dispatch import migrate
from dispatch.access import system_principal
from dispatch.audit import chain
from dispatch.db import make_engine
from models import (
    AuditEvent,
    AuditHead,
    Client,
    Outcome,
    Plan,
    PlanRoute,
    PlanStop,
    Task,
    Volunteer,
)
from models.enums import OutcomeKind, ServiceKind
from tests.builders.records import (
    create_client,
    create_station,
    create_volunteer,
    ident,
    save,
)
from tests.conftest import POSTGRES_URL, create_database, drop_database

PLACEHOLDER = "PydanticUndefined"


@pytest.fixture
def empty_engine(tmp_path: os.PathLike[str]) -> Iterator[Engine]:
    if not POSTGRES_URL:
        engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
        yield engine
        engine.dispose()
        return
    url = create_database("careroute_mig")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_database(url)


def test_upgrade_from_empty_then_downgrade_and_upgrade_again(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables

    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(empty_engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_a_database_url_with_a_percent_sign_is_migrated(tmp_path: Path) -> None:
    """As a password with "@" in it is written (%40), or a socket's folder given as the host
    (%2F): Alembic's settings would read the "%" as interpolation. A SQLite file under a
    folder named with "%" (written %25) shows the same."""
    folder = tmp_path / "100%"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder}/careroute.db")
    try:
        migrate.upgrade(engine)
        assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_migrations_match_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


STATIONS = [None, 1, 2, 1, None, 1]  # the station of each event, in the order written


def _events_before_any_chain(engine: Engine) -> None:
    migrate.upgrade(engine, "0008")
    with engine.begin() as connection:
        for n, station in enumerate(STATIONS):
            connection.execute(
                text(
                    "INSERT INTO audit_event (at, interface, action, entity, station_id, changes) "
                    "VALUES (:at, 'cli', 'create', 'client', :station, :changes)"
                ),
                {
                    "at": f"2026-11-2{n} 08:00:00+00:00",
                    "station": station,
                    "changes": f'{{"name": [null, "客户{n}"]}}',
                },
            )


def test_events_join_one_chain_then_move_to_their_stations_chains(empty_engine: Engine) -> None:
    _events_before_any_chain(empty_engine)
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        report = chain.verify(session)
        assert report.problems == []
        assert (report.events, report.chains, report.anchors) == (6, 3, 1)
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert [(r.chain, r.seq) for r in rows] == [(0, 1), (1, 1), (2, 1), (1, 2), (0, 2), (1, 3)]
        heads = {h.chain: h.seq for h in session.exec(select(AuditHead)).all()}
        assert heads == {0: 2, 1: 3, 2: 1}
        # The next event of station 2 follows its chain's head.
        chain.record(
            session,
            system_principal("cli"),
            action="update",
            entity="client",
            entity_id=1,
            station_id=2,
            changes={"name": ["a", "b"]},
        )
        session.commit()
        assert chain.verify(session, [2]).events == 2
        assert chain.verify(session).intact


def test_a_broken_chain_is_not_moved(empty_engine: Engine) -> None:
    _events_before_any_chain(empty_engine)
    migrate.upgrade(empty_engine, "0011")
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET action = 'innocent' WHERE id = 3"))
    with pytest.raises(RuntimeError, match="broken at event 3"):
        migrate.upgrade(empty_engine)


def test_the_words_a_form_saved_for_an_empty_list_are_taken_out(empty_engine: Engine) -> None:
    """A new record's form once showed an empty list as "PydanticUndefined", and saving kept
    it: a client allergic to it clashed with every menu saved the same way."""
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        station = create_station(session)
        client = create_client(session, station=station, allergies=[PLACEHOLDER, "花生"])
        helper = create_volunteer(session, station=station, skills=[PLACEHOLDER])
        own = create_volunteer(session, station=station, skills=["会说PydanticUndefined"])
        ids = ident(client), ident(helper), ident(own)
    migrate.downgrade(empty_engine, "0019")  # the records stay; they go through 0020 again
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.get(Client, ids[0]).allergies == ["花生"]  # type: ignore[union-attr]
        assert session.get(Volunteer, ids[1]).skills == []  # type: ignore[union-attr]
        assert session.get(Volunteer, ids[2]).skills == ["会说PydanticUndefined"]  # type: ignore[union-attr]
        events = session.exec(
            select(AuditEvent).where(AuditEvent.interface == "upgrade").order_by(col(AuditEvent.id))
        ).all()
        assert [(e.entity, e.entity_id, e.changes) for e in events] == [
            ("client", ids[0], {"allergies": [[PLACEHOLDER, "花生"], ["花生"]]}),
            ("volunteer", ids[1], {"skills": [[PLACEHOLDER], []]}),
        ]
        assert chain.verify(session).intact


def test_a_stop_that_outcomes_refer_to_gets_its_details_both_ways(empty_engine: Engine) -> None:
    """plan_stop.details is added and taken away in place: copying the table to change it
    (SQLite's way) failed on a database whose outcomes refer to its stops."""
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        station = create_station(session)
        client = create_client(session, station=station)
        helper = create_volunteer(session, station=station)
        task = save(
            session,
            Task(
                station_id=ident(station),
                client_id=ident(client),
                service_date=date(2026, 11, 24),
                kind=ServiceKind.VISIT,
            ),
        )
        plan = save(session, Plan(station_id=ident(station), service_date=task.service_date))
        route = save(session, PlanRoute(plan_id=ident(plan), volunteer_id=ident(helper)))
        stop = save(
            session, PlanStop(plan_id=ident(plan), route_id=ident(route), task_id=ident(task))
        )
        save(
            session,
            Outcome(
                client_event_id="e" * 16,
                kind=OutcomeKind.DELIVERED,
                recorded_at=datetime(2026, 11, 24, 4, tzinfo=UTC),
                station_id=ident(station),
                plan_stop_id=ident(stop),
                task_id=ident(task),
                volunteer_id=ident(helper),
            ),
        )
        stop_id = ident(stop)
    migrate.downgrade(empty_engine, "0022")
    assert "details" not in {c["name"] for c in inspect(empty_engine).get_columns("plan_stop")}
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.get(PlanStop, stop_id).details == {}  # type: ignore[union-attr]
        assert len(session.exec(select(Outcome)).all()) == 1
