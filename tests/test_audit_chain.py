"""The audit trail as hash chains, one per station: intact after real traffic (concurrent
writes included); an event edited or removed directly in the database, or a whole station's
chain removed, is found by `careroute audit verify`; one station's writers never wait for
another's."""

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, func, select

from dispatch.access import system_principal
from dispatch.audit import chain
from models import AuditAnchor, AuditEvent, AuditHead
from tests.builders.days import PlannedDay, plan_day
from tests.builders.records import create_station, ident
from tests.conftest import POSTGRES_URL, RunningServer


def careroute_verify(database_url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from dispatch.cli import app; app()", "audit", "verify", *options],
        env=os.environ | {"CAREROUTE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def note(writer: Session, station_id: int, changes: dict[str, Any]) -> None:
    """An event of the station's chain, as any change of its records makes one."""
    chain.record(
        writer,
        system_principal("test"),
        action="note",
        entity="station",
        entity_id=station_id,
        station_id=station_id,
        changes=changes,
    )


def test_the_chain_holds_under_concurrent_writes_and_shows_edits_and_removals(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    server: RunningServer,
    database_url: str,
) -> None:
    day = plan_day(api, session, clients=10, volunteers=2)
    volunteer_id = day.first_route["volunteer_id"]
    me = day.volunteers[volunteer_id]
    doors = day.doors(volunteer_id)

    def record(n: int) -> int:
        body = {
            "client_event_id": uuid.uuid4().hex,
            "kind": "no_answer" if n % 3 == 0 else "delivered",
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        with httpx.Client(base_url=server.url, timeout=30) as phone:
            url = f"/api/me/stops/{doors[n % 2]['id']}/outcomes"  # two doors: rows contended
            return phone.post(url, json=body, headers=me.headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(record, range(24))) == {201}

    session.rollback()
    everything = session.exec(select(func.count()).select_from(AuditEvent)).one()
    report = chain.verify(session)
    assert report.problems == []
    assert report.events == everything
    assert careroute_verify(database_url).returncode == 0
    station = ident(day.station)
    ours = AuditEvent.chain == station
    total = session.exec(select(func.count()).select_from(AuditEvent).where(ours)).one()
    assert total > 30
    assert chain.verify(session, [station]).events == total

    middle = session.exec(select(AuditEvent).where(ours, AuditEvent.seq == total // 2)).one()
    middle_id, middle_action = middle.id, middle.action
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET action = 'innocent' WHERE id = :id"), {"id": middle_id}
        )
    session.rollback()
    edited = chain.verify(session)
    assert any(f"event {middle_id} " in p and "edited" in p for p in edited.problems), edited
    broken = careroute_verify(database_url, "--station", str(station))
    assert broken.returncode == 1
    assert "BROKEN" in broken.stderr
    assert f"station {station}'s chain, event {middle_id} " in broken.stderr

    later = session.exec(select(AuditEvent).where(ours, AuditEvent.seq == total // 2 + 3)).one()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET action = :a WHERE id = :id"),
            {"a": middle_action, "id": middle_id},
        )
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": later.id})
    session.rollback()
    removed = chain.verify(session, [station])
    assert len(removed.problems) >= 1
    assert all("edited" not in p for p in removed.problems)  # the edit was undone
    assert any("missing" in p or "removed" in p for p in removed.problems)


def test_a_station_chain_removed_whole_is_caught_by_the_anchors(
    api: httpx.Client, session: Session, engine: Engine, database_url: str
) -> None:
    kept = plan_day(api, session, clients=3, volunteers=1)
    gone = plan_day(api, session, clients=3, volunteers=1)
    mine, theirs = ident(kept.station), ident(gone.station)
    with Session(engine) as writer:
        # As the writers do every few minutes; nothing when the last write did (its
        # process's anchor fell due then: it failed a CI run).
        chain.anchor(writer)
        writer.commit()
    session.rollback()
    last = session.exec(select(AuditAnchor).order_by(col(AuditAnchor.seq).desc())).first()
    head = session.get(AuditHead, theirs)
    assert last is not None
    assert head is not None
    assert last.heads[str(theirs)] == [head.seq, head.hash]  # their chain as it is now
    assert careroute_verify(database_url, "--station", str(theirs)).returncode == 0

    with engine.begin() as connection:  # the whole chain, and its head, behind our back
        connection.execute(text("DELETE FROM audit_event WHERE chain = :c"), {"c": theirs})
        connection.execute(text("DELETE FROM audit_head WHERE chain = :c"), {"c": theirs})
    session.rollback()
    report = chain.verify(session, [theirs])
    assert report.events == 0
    assert any(
        p.startswith(f"station {theirs}'s chain: event ") and "removed" in p
        for p in report.problems
    ), report.problems
    assert careroute_verify(database_url, "--station", str(mine)).returncode == 0
    cut = careroute_verify(database_url, "--station", str(theirs))
    assert cut.returncode == 1
    assert "cut short or removed" in cut.stderr


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite has one writer: every write waits anyway")
def test_one_stations_writers_never_wait_for_another_stations(
    api: httpx.Client, session: Session, engine: Engine
) -> None:
    busy = plan_day(api, session, clients=2, volunteers=1)
    other = plan_day(api, session, clients=2, volunteers=1)

    def record(day: PlannedDay) -> int:
        volunteer_id = day.first_route["volunteer_id"]
        door = day.doors(volunteer_id)[0]
        body = {
            "client_event_id": uuid.uuid4().hex,
            "kind": "delivered",
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        url = f"/api/me/stops/{door['id']}/outcomes"
        with httpx.Client(base_url=api.base_url, timeout=60) as phone:
            return phone.post(
                url, json=body, headers=day.volunteers[volunteer_id].headers
            ).status_code

    with Session(engine) as holder, ThreadPoolExecutor(max_workers=2) as pool:
        holder.execute(
            text("SELECT seq FROM audit_head WHERE chain = :c FOR UPDATE"),
            {"c": ident(busy.station)},
        )  # a long transaction of the busy station, holding its chain
        waiting = pool.submit(record, busy)
        assert pool.submit(record, other).result(timeout=20) == 201
        time.sleep(0.5)
        assert not waiting.done()  # the busy station's own writer does wait
        holder.rollback()
        assert waiting.result(timeout=20) == 201
    session.rollback()
    assert chain.verify(session, [ident(busy.station), ident(other.station)]).intact


def test_one_transaction_writing_to_several_chains_moves_each_head(
    session: Session, engine: Engine
) -> None:
    """As outcomes of several stations committed together do: chains with a head and a
    chain without one, in one transaction."""
    stations = [ident(create_station(session)) for _ in range(3)]

    def write(station_ids: list[int]) -> None:
        with Session(engine) as writer:
            for station_id in station_ids:
                note(writer, station_id, {})
            writer.commit()

    write(stations[:2])  # two chains begin
    write([stations[1], stations[0], stations[2], stations[1]])  # two go on, one begins

    session.rollback()
    report = chain.verify(session, stations)
    assert report.intact, report.problems
    heads = {
        number: (seq, hash_)
        for number, seq, hash_ in session.exec(
            select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
        ).all()
    }
    assert [heads[s][0] for s in stations] == [2, 3, 1]
    for station_id in stations:  # each head is its chain's last event
        last = session.exec(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.chain == station_id)
            .order_by(col(AuditEvent.seq).desc())
        ).first()
        assert last is not None
        assert tuple(last) == heads[station_id]


def test_an_events_hash_is_that_of_its_whole_canonical_json() -> None:
    """The hash is computed around its link to the chain (PostgreSQL fills the link in
    when it moves the head); chains written before that must still verify: the text hashed
    is the event's JSON with sorted keys, as it always was."""
    row = chain.PendingEvent(
        at=datetime(2026, 11, 30, 9, 15, 2, 123456, tzinfo=UTC),
        actor_user_id=7,
        interface="api",
        action="update",
        entity="client",
        entity_id=12,
        station_id=3,
        changes={"notes": ["钥匙在门垫下", '按两次"慢"'], "pins": [None, {"b": 1, "a": [2]}]},
        client_id=12,
        volunteer_id=None,
        chain=3,
        seq=41,
        prev_hash="ab" * 32,
    )
    content = {
        "seq": 41,
        "at": "2026-11-30T09:15:02.123456+00:00",
        "actor_user_id": 7,
        "interface": "api",
        "action": "update",
        "entity": "client",
        "entity_id": 12,
        "station_id": 3,
        "client_id": 12,
        "volunteer_id": None,
        "changes": row.changes,
        "prev_hash": "ab" * 32,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert chain.digest(row) == hashlib.sha256(canonical.encode()).hexdigest()
    before, after = chain.around_the_link(row)
    assert canonical == f'{before}"{"ab" * 32}","seq":41{after}'


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite has one writer: no two transactions meet")
def test_transactions_of_one_station_side_by_side_chain_one_after_the_other(
    session: Session, engine: Engine
) -> None:
    """PostgreSQL chains each event in the statement that moves its chain's head: a
    transaction that waited for the head moves it from where the one before left it. Six
    writers at once, one or two events each time, one chain shared and one each; the first
    events of those chains race to create their heads."""
    shared, *own = [ident(create_station(session)) for _ in range(4)]

    def write(writer_number: int) -> None:
        for n in range(20):
            with Session(engine) as writer:
                for station_id in [shared] + [own[writer_number % 3]] * (n % 2):
                    note(writer, station_id, {"writer": writer_number, "n": n})
                writer.commit()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    session.rollback()
    report = chain.verify(session, [shared, *own])
    assert report.intact, report.problems
    assert report.events == 6 * 20 + 6 * 10
    heads = dict(session.exec(select(AuditHead.chain, AuditHead.seq)).all())
    assert [heads[s] for s in [shared, *own]] == [120, 20, 20, 20]
