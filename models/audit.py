"""The audit trail: one append-only row per change, with before and after values."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.common import UtcDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Append-only: nothing in the application edits or deletes an event."""

    __tablename__ = "audit_event"

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
    # The hash chain (dispatch.audit): position, the previous event's hash, this one's.
    seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
