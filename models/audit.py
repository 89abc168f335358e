"""The audit trail: one append-only row per change, with before and after values."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import UtcDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Append-only: nothing in the application edits or deletes an event."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    interface: str = Field(max_length=20)  # api, web, import, cli, demo
    action: str = Field(max_length=20)  # create, update, archive, restore, delete, login
    entity: str = Field(max_length=40, index=True)
    entity_id: int | None = Field(default=None, index=True)
    station_id: int | None = Field(default=None, index=True)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # field: [before, after]
    # Whom the change is about, to find a client's or a volunteer's events.
    client_id: int | None = Field(default=None, index=True)
    volunteer_id: int | None = Field(default=None, index=True)
    # The hash chains (dispatch.audit.chain): one per station, 0 for events of no station;
    # the position in it, the previous event's hash, this one's.
    chain: int = Field(default=0)
    seq: int | None = Field(default=None)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """The last event of each chain: where the next one joins, and the row a writer locks
    so that one station's writers never wait for another's."""

    __tablename__ = "audit_head"

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
    # The hash of the event before the head: where PostgreSQL moves the head in SQL, its
    # UPDATE returns it for the event's row (RETURNING gives no old values before 18).
    prev_hash: str | None = Field(default=None, max_length=64)


class AuditAnchor(SQLModel, table=True):
    """The heads of every chain at one moment, itself chained: a whole chain removed, or cut
    short, no longer matches the last anchor before it."""

    __tablename__ = "audit_anchor"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    seq: int = Field(unique=True)
    heads: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # chain: [seq, hash]
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
