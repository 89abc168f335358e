"""The audit trail as a hash chain: intact after real traffic (concurrent writes included),
and an event edited or removed directly in the database is found by `careroute audit verify`."""

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session, func, select

from dispatch.audit import chain
from models import AuditEvent
from tests.builders.days import plan_day
from tests.conftest import RunningServer


def careroute_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from dispatch.cli import app; app()", "audit", "verify"],
        env=os.environ | {"CAREROUTE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
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
    total = session.exec(select(func.count()).select_from(AuditEvent)).one()
    report = chain.verify(session)
    assert report.problems == []
    assert report.events == total
    assert total > 30
    assert careroute_verify(database_url).returncode == 0

    middle = session.exec(select(AuditEvent).where(AuditEvent.seq == total // 2)).one()
    middle_id, middle_action = middle.id, middle.action
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET action = 'innocent' WHERE id = :id"), {"id": middle_id}
        )
    session.rollback()
    edited = chain.verify(session)
    assert any(f"event {middle_id} " in p and "edited" in p for p in edited.problems), edited
    broken = careroute_verify(database_url)
    assert broken.returncode == 1
    assert "BROKEN" in broken.stderr

    later = session.exec(select(AuditEvent).where(AuditEvent.seq == total // 2 + 3)).one()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET action = :a WHERE id = :id"),
            {"a": middle_action, "id": middle_id},
        )
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": later.id})
    session.rollback()
    removed = chain.verify(session)
    assert len(removed.problems) >= 1
    assert all("edited" not in p for p in removed.problems)  # the edit was undone
    assert any("missing" in p or "removed" in p for p in removed.problems)
