"""Writing the audit trail: who changed what, with before and after values, in hash chains.

Each event carries the hash of the one before it in its chain and a hash of its own content,
so that an event edited or deleted behind the application's back breaks the chain
(`careroute audit verify`). There is one chain per station and one for events of no station
(accounts, logins): a transaction locks only the heads of the chains it writes to
(`audit_head`, in the order of their numbers, so two never wait for each other in a circle),
and stations never queue behind one another. Events are chained when their transaction
commits, so each chain follows the order in which changes became true. On PostgreSQL the
database chains each event in the statement that writes it (the head's move computes its
hash): a change costs no round trip for the chain's lock.

A chain removed whole, or cut short at its end, leaves no broken link. Anchors catch that:
every few minutes a writer records the heads of all chains in `audit_anchor`, itself a
chain, and verifying checks that every anchored head is still there.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Text,
    bindparam,
    cast,
    event,
    func,
    insert,
    literal,
    text,
    update,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from dispatch.access import Principal
from dispatch.db import insert_with_conflicts
from dispatch.precompiled import PrecompiledStatement
from models import AuditAnchor, AuditEvent, AuditHead
from models.common import utcnow

GENESIS = "0" * 64  # the "previous hash" of the first event of a chain
NO_STATION = 0  # the chain of events that belong to no station
ANCHOR_SECONDS = 300.0  # how often a writer anchors the heads of all chains
_PENDING = "careroute_audit_pending"
_ANCHOR_LOCK = 7_261_002  # PostgreSQL advisory lock key: one anchor writer at a time
_next_anchor = 0.0  # this process's clock: when its next seal anchors (0: at the first)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]} (JSON-ready values)."""
    if not before:  # a creation, the commonest (each outcome): every value set
        return {key: [None, value] for key, value in sorted(after.items()) if value is not None}
    changed: dict[str, list[Any]] = {}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [old, new]
    return changed


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
    row = PendingEvent(
        at=utcnow(),
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


@dataclass
class PendingEvent:
    """An event held until its transaction commits: the audit table's columns as plain
    values (a table record cost every change more than writing it)."""

    at: datetime
    actor_user_id: int | None
    interface: str
    action: str
    entity: str
    entity_id: int | None
    station_id: int | None
    changes: dict[str, Any]
    client_id: int | None
    volunteer_id: int | None
    chain: int = NO_STATION
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None


def _about(entity: str, entity_id: int | None, changes: dict[str, Any], kind: str) -> int | None:
    if entity == kind:
        return entity_id
    values = changes.get(f"{kind}_id")
    if isinstance(values, list) and len(values) == 2:
        after, before = values[1], values[0]
        found = after if after is not None else before
        return found if isinstance(found, int) else None
    return None


def digest(row: AuditEvent | PendingEvent, changes: str | None = None) -> str:
    """The hash of an event's content and of the event before it: of its canonical JSON
    (sorted keys), where the link to the chain, `"prev_hash":...,"seq":...`, sits between
    the rest's two parts (PostgreSQL fills it in as it moves the head, see seal).
    `changes`: `canonical(row.changes)`, when already made."""
    before, after = around_the_link(row, changes)
    link = f'{canonical(row.prev_hash)},"seq":{canonical(row.seq)}'
    return hashlib.sha256((before + link + after).encode()).hexdigest()


def around_the_link(row: AuditEvent | PendingEvent, changes: str | None = None) -> tuple[str, str]:
    """An event's canonical JSON up to `"prev_hash":` and after its sequence number."""
    assert row.at is not None
    content = {
        "at": row.at.astimezone(UTC).isoformat(),
        "actor_user_id": row.actor_user_id,
        "interface": row.interface,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "station_id": row.station_id,
        "client_id": row.client_id,
        "volunteer_id": row.volunteer_id,
        "changes": None,
        "prev_hash": None,
        "seq": None,
    }
    # One encoding, the changes spliced in (made once for the hash and the column). A text
    # value escapes its quotes: `"changes":null` and the link occur once, as keys.
    text = canonical(content)
    head, _link, after = text.rpartition(_LINK)
    if changes is None:
        changes = canonical(row.changes)
    head = head.replace(_NO_CHANGES, f'"changes":{changes}', 1)
    return head + '"prev_hash":', after


# Canonical JSON: sorted keys, no spaces, text as it is (one encoder made once: json.dumps
# with options makes one at each call).
canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_LINK = '"prev_hash":null,"seq":null'
_NO_CHANGES = '"changes":null'


def chain_of(station_id: int | None) -> int:
    return NO_STATION if station_id is None else station_id


def seal(session: OrmSession) -> None:
    """Chain the events this transaction recorded after the last event of their chains, and
    write them; anchor the heads of all chains when it is time."""
    global _next_anchor
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    # Every other change of the transaction is written first: holding a chain's head, a
    # transaction must wait for nothing else (a row another one holds would deadlock them).
    session.flush()
    chains: dict[int, list[PendingEvent]] = defaultdict(list)
    for row in pending:
        row.chain = chain_of(row.station_id)
        chains[row.chain].append(row)
    connection = session.connection()
    numbers = sorted(chains)  # one order for every writer: no waiting in a circle
    if connection.dialect.name == "postgresql":
        for number in numbers:
            _chained_in_the_database(connection, number, chains[number])
    else:  # SQLite: no UPDATE in a WITH clause (and no round trips to save)
        heads = _locked_heads(connection, numbers)
        changes: dict[int, str] = {}  # each event's changes as the hash and the column take them
        for number in numbers:
            seq, hash_ = heads[number]
            for row in chains[number]:
                seq += 1
                row.seq, row.prev_hash = seq, hash_
                changes[id(row)] = canonical(row.changes)
                row.hash = hash_ = digest(row, changes[id(row)])
        # Written as rows, not through the session's unit of work: every outcome recorded
        # pays for this, and nothing reads the events back in the same transaction. vars,
        # not asdict: no copies.
        moves = [
            {
                "number": number,
                "new_seq": rows[-1].seq,
                "new_hash": rows[-1].hash,
                "prev": rows[-1].prev_hash,
            }
            for number, rows in chains.items()
        ]
        _MOVE_HEAD.run_many(connection, moves)
        _ADD_EVENT.run_many(
            connection, [vars(row) | {"changes": changes[id(row)]} for row in pending]
        )
    if time.monotonic() >= _next_anchor:
        _next_anchor = time.monotonic() + ANCHOR_SECONDS
        anchor(session, wait=False)


# Built and compiled once, run on the driver's cursor (seal runs in every transaction that
# records a change).
_LOCK_HEAD = PrecompiledStatement(
    select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
    .where(AuditHead.chain == bindparam("number"))
    .with_for_update()
)
# Several, in the order of their numbers (PostgreSQL locks rows as they are sorted). Not for
# one: an IN list of parameters is rendered again at each use (120,000 instructions).
_LOCK_HEADS = (
    select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
    .where(col(AuditHead.chain).in_(bindparam("numbers", expanding=True)))
    .order_by(col(AuditHead.chain))
    .with_for_update()
)
_MOVE_HEAD = PrecompiledStatement(
    update(AuditHead)
    .where(col(AuditHead.chain) == bindparam("number"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"), prev_hash=bindparam("prev"))
)
# The changes given as their JSON text (canonical), not encoded again by the column's type.
_ADD_EVENT = PrecompiledStatement(
    insert(AuditEvent).values(changes=bindparam("changes", type_=Text())),
    [f.name for f in fields(PendingEvent) if f.name != "changes"],
)


def _add_event_after_head() -> PrecompiledStatement:
    """An event chained after its chain's head and inserted, in one statement (PostgreSQL):
    the head's UPDATE computes the event's hash from the head's (the text around the link
    given, see `around_the_link`), moves the head to it and locks it until the transaction
    ends; the event's row takes the head's new place and the hash before it. A writer
    waiting for the head's lock moves it from where the one before left it."""
    head = AuditHead.__table__  # type: ignore[attr-defined]
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    given: dict[str, ColumnElement[Any]] = {
        name: bindparam(name, type_=events.c[name].type) for name in _CONTENT
    }
    # The changes given as their JSON text (canonical), not encoded again by the column's type.
    given["changes"] = cast(bindparam("changes", type_=Text()), events.c.changes.type)
    text_ = String()
    link = (
        bindparam("before", type_=text_)
        + literal('"', text_)
        + head.c.hash
        + literal('","seq":', text_)
        + cast(head.c.seq + 1, Text)
        + bindparam("after", type_=text_)
    )
    moved = (
        update(head)
        .where(head.c.chain == given["chain"])
        .values(
            seq=head.c.seq + 1,
            prev_hash=head.c.hash,
            hash=func.encode(func.sha256(func.convert_to(link, literal("UTF8", text_))), "hex"),
        )
        .returning(head.c.seq, head.c.prev_hash, head.c.hash)
        .cte("moved_head")
    )
    columns = [*given.values(), moved.c.seq, moved.c.prev_hash, moved.c.hash]
    chained = select(*columns)
    return PrecompiledStatement(
        insert(events).from_select([*_CONTENT, "seq", "prev_hash", "hash"], chained).add_cte(moved)
    )


_CONTENT = [f.name for f in fields(PendingEvent) if f.name not in {"seq", "prev_hash", "hash"}]
_ADD_EVENT_AFTER_HEAD = _add_event_after_head()


def _chained_in_the_database(connection: Connection, number: int, rows: list[PendingEvent]) -> None:
    """A chain's events chained and inserted by PostgreSQL, in order; the chain's head
    created at its first event."""
    values = []
    for row in rows:
        changes = canonical(row.changes)
        before, after = around_the_link(row, changes)
        content = {name: getattr(row, name) for name in _CONTENT}
        values.append(content | {"changes": changes, "before": before, "after": after})
    if _ADD_EVENT_AFTER_HEAD.run_many(connection, values) == len(rows):
        return
    _create_head(connection, number)  # there was none to move, so nothing was written
    _ADD_EVENT_AFTER_HEAD.run_many(connection, values)


def _create_head(connection: Connection, number: int) -> None:
    """A new chain's head, before its first event; whichever of two first writers inserts
    it, both then move it."""
    insert_head = insert_with_conflicts(connection.dialect.name)(AuditHead)
    values = {"chain": number, "seq": 0, "hash": GENESIS}
    connection.execute(insert_head.values(values).on_conflict_do_nothing())


def _locked_heads(connection: Connection, numbers: list[int]) -> dict[int, tuple[int, str]]:
    """The sequence number and hash of each chain's head (`numbers` ascending), locked until
    the transaction ends: one statement for the heads there are; a new chain's head is
    created at its first event, after the others are locked (all writers lock what exists
    in one order, then create what does not in one order: none waits for another in a
    circle)."""
    if len(numbers) == 1:
        found = _LOCK_HEAD.rows(connection, {"number": numbers[0]})
    else:
        found = [tuple(row) for row in connection.execute(_LOCK_HEADS, {"numbers": numbers})]
    heads = {chain: (seq, hash_) for chain, seq, hash_ in found}
    for number in numbers:
        if number not in heads:
            _create_head(connection, number)
            [(_, seq, hash_)] = _LOCK_HEAD.rows(connection, {"number": number})
            heads[number] = seq, hash_
    return heads


def anchor(session: OrmSession, *, wait: bool = True) -> AuditAnchor | None:
    """Record the heads of every chain, chained after the last anchor. Without `wait`,
    nothing if another transaction is anchoring (it will do)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        how = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        taken = connection.execute(text(f"SELECT {how}(:key)"), {"key": _ANCHOR_LOCK}).scalar()
        if taken is False:
            return None
    session.flush()
    # Columns, not records: the heads were written as rows (seal), not through the session.
    heads = {
        str(chain): [seq, hash_]
        for chain, seq, hash_ in session.execute(
            select(AuditHead.chain, AuditHead.seq, AuditHead.hash).order_by(col(AuditHead.chain))
        )
    }
    last = session.execute(
        select(AuditAnchor).order_by(col(AuditAnchor.seq).desc()).limit(1)
    ).scalar_one_or_none()
    if last is not None and last.heads == heads:
        return None  # nothing new since
    row = AuditAnchor(
        seq=1 if last is None else last.seq + 1,
        heads=heads,
        prev_hash=GENESIS if last is None else last.hash,
        hash="",
    )
    row.hash = anchor_digest(row)
    session.add(row)
    session.flush()
    return row


def anchor_digest(row: AuditAnchor) -> str:
    content = {
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "heads": row.heads,
        "prev_hash": row.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing takes its events with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(OrmSession, "before_commit", seal)
event.listen(OrmSession, "after_transaction_end", _forget)


@dataclass
class ChainReport:
    events: int = 0
    chains: int = 0
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(
    session: Session, stations: Collection[int] | None = None, most: int = 20
) -> ChainReport:
    """Walk each chain (or only these stations') from its start: every event where it
    should be, none edited, none missing; then the anchors: every head they recorded still
    there. Reports at most `most` problems."""
    report = ChainReport()
    wanted = None if stations is None else {chain_of(s) for s in stations}
    unsealed = select(AuditEvent.id).where(col(AuditEvent.seq).is_(None))
    if wanted is not None:
        unsealed = unsealed.where(col(AuditEvent.chain).in_(wanted))
    for event_id in session.exec(unsealed.limit(most)).all():
        report.problems.append(f"event {event_id} is not in a chain (no sequence number)")
    numbers = set(session.exec(select(AuditEvent.chain).distinct()).all())
    for number in sorted(numbers if wanted is None else wanted):
        report.chains += 1
        _verify_chain(session, number, report, most)
    _verify_anchors(session, wanted, report, most)
    del report.problems[most:]
    return report


def _verify_chain(session: Session, number: int, report: ChainReport, most: int) -> None:
    previous, expected_seq = GENESIS, 1
    name = _name(number)
    for row in _in_order(session, number):
        report.events += 1
        if len(report.problems) >= most:
            return
        if row.chain != chain_of(row.station_id):
            report.problems.append(
                f"{name}, event {row.id}: it belongs to another chain (station {row.station_id})"
            )
        if row.seq != expected_seq:
            report.problems.append(
                f"{name}, event {row.id}: sequence {row.seq} where {expected_seq} was expected "
                "(events missing before it)"
            )
        if row.prev_hash != previous:
            report.problems.append(
                f"{name}, event {row.id} (seq {row.seq}): does not follow the event before it "
                "(an event before it was removed or changed)"
            )
        if row.hash != digest(row):
            report.problems.append(
                f"{name}, event {row.id} (seq {row.seq}): its content does not match its hash "
                "(the row was edited)"
            )
        previous, expected_seq = row.hash or "", (row.seq or 0) + 1


def _verify_anchors(
    session: Session, wanted: set[int] | None, report: ChainReport, most: int
) -> None:
    previous, expected_seq = GENESIS, 1
    anchors = session.exec(select(AuditAnchor).order_by(col(AuditAnchor.seq))).all()
    for row in anchors:
        report.anchors += 1
        if row.seq != expected_seq or row.prev_hash != previous or row.hash != anchor_digest(row):
            report.problems.append(f"anchor {row.seq}: edited, or anchors before it removed")
        previous, expected_seq = row.hash, row.seq + 1
    # Each chain's head as last anchored must still be there, unchanged.
    last: dict[int, tuple[int, str, int]] = {}
    for row in anchors:
        for key, (seq, digest_) in row.heads.items():
            last[int(key)] = (seq, digest_, row.seq)
    for number, (seq, digest_, at) in sorted(last.items()):
        if (wanted is not None and number not in wanted) or len(report.problems) >= most:
            continue
        found = session.exec(
            select(AuditEvent.hash).where(AuditEvent.chain == number, AuditEvent.seq == seq)
        ).first()
        if found != digest_:
            report.problems.append(
                f"{_name(number)}: event {seq}, anchored in anchor {at}, is "
                + ("missing (the chain was cut short or removed)" if found is None else "changed")
            )


def _name(number: int) -> str:
    return "chain of no station" if number == NO_STATION else f"station {number}'s chain"


def _in_order(session: Session, number: int, batch: int = 1000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.chain == number, col(AuditEvent.seq) > after)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq or after
