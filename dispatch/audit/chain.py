"""Writing the audit trail: who changed what, with before and after values, in a hash chain.

Each event carries the hash of the one before it and a hash of its own content, so that an
event edited or deleted behind the application's back breaks the chain (`careroute audit
verify`). Events are chained when their transaction commits, one transaction at a time (on
PostgreSQL under an advisory lock; SQLite has one writer anyway), so the chain follows the
order in which changes became true.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from dispatch.access import Principal
from models import AuditEvent

GENESIS = "0" * 64  # the "previous hash" of the first event
_PENDING = "careroute_audit_pending"
_CHAIN_LOCK = 7_261_001  # PostgreSQL advisory lock key: one chain writer at a time


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]} (JSON-ready values)."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    station_id: int | None,
    changes: dict[str, Any],
    client_id: int | None = None,
    volunteer_id: int | None = None,
) -> None:
    """`client_id`, `volunteer_id`: whom the change is about, for finding a person's events
    (taken from the entity or its changes when not given)."""
    # Held until the transaction commits, then chained and written (see seal()).
    row = AuditEvent(
        actor_user_id=principal.user_id,
        interface=principal.interface,
        action=action,
        entity=entity,
        entity_id=entity_id,
        station_id=station_id,
        changes=changes,
        client_id=client_id or _about(entity, entity_id, changes, "client"),
        volunteer_id=volunteer_id or _about(entity, entity_id, changes, "volunteer"),
    )
    session.info.setdefault(_PENDING, []).append(row)


def _about(entity: str, entity_id: int | None, changes: dict[str, Any], kind: str) -> int | None:
    if entity == kind:
        return entity_id
    values = changes.get(f"{kind}_id")
    if isinstance(values, list) and len(values) == 2:
        after, before = values[1], values[0]
        found = after if after is not None else before
        return found if isinstance(found, int) else None
    return None


def digest(row: AuditEvent) -> str:
    """The hash of an event's content and of the event before it."""
    assert row.at is not None
    content = {
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "actor_user_id": row.actor_user_id,
        "interface": row.interface,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "station_id": row.station_id,
        "client_id": row.client_id,
        "volunteer_id": row.volunteer_id,
        "changes": row.changes,
        "prev_hash": row.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(session: OrmSession) -> None:
    """Chain the events this transaction recorded after the last event of the chain, and
    write them."""
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    # Every other change of the transaction is written first: holding the chain's lock, a
    # transaction must wait for nothing else (a row another one holds would deadlock them).
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(col(AuditEvent.seq).is_not(None))
        .order_by(col(AuditEvent.seq).desc())
        .limit(1)
    ).first()
    seq, previous = (last[0], last[1]) if last is not None else (0, GENESIS)
    for row in pending:
        seq += 1
        row.seq, row.prev_hash = seq, previous
        row.hash = previous = digest(row)
    session.add_all(pending)


def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing takes its events with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(OrmSession, "before_commit", seal)
event.listen(OrmSession, "after_transaction_end", _forget)


@dataclass
class ChainReport:
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session, most: int = 20) -> ChainReport:
    """Walk the chain from its start: every event where it should be, none edited, none
    missing. Reports at most `most` problems."""
    report = ChainReport()
    previous, expected_seq = GENESIS, 1
    unsealed = session.exec(select(AuditEvent.id).where(col(AuditEvent.seq).is_(None))).all()
    for event_id in unsealed[:most]:
        report.problems.append(f"event {event_id} is not in the chain (no sequence number)")
    for row in _in_order(session):
        report.events += 1
        if len(report.problems) >= most:
            break
        if row.seq != expected_seq:
            report.problems.append(
                f"event {row.id}: sequence {row.seq} where {expected_seq} was expected "
                "(events missing before it)"
            )
        if row.prev_hash != previous:
            report.problems.append(
                f"event {row.id} (seq {row.seq}): does not follow the event before it "
                "(an event before it was removed or changed)"
            )
        if row.hash != digest(row):
            report.problems.append(
                f"event {row.id} (seq {row.seq}): its content does not match its hash "
                "(the row was edited)"
            )
        previous, expected_seq = row.hash or "", (row.seq or 0) + 1
    return report


def _in_order(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.seq) > after)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq or after
