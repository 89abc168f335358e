"""What the audit trail takes and answers over HTTP."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Field, SQLModel


class TrailQuery(BaseModel):
    since: date | None = None  # days in the station's time zone, both ends included
    until: date | None = None
    station_id: int | None = None
    actor_user_id: int | None = None  # who made the change
    entity: str | None = Field(default=None, max_length=40)  # what kind of record
    entity_id: int | None = None
    client_id: int | None = None  # events about this client
    volunteer_id: int | None = None  # events about this volunteer
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=500)


class ChainCheck(BaseModel):
    """The chains of the stations the reader may see, checked whole, and the anchors."""

    intact: bool
    events: int
    chains: int
    anchors: int
    problems: list[str]


class AuditEventPublic(SQLModel):
    id: int
    seq: int | None
    at: datetime
    actor_user_id: int | None
    actor_name: str | None
    interface: str
    action: str
    entity: str
    entity_id: int | None
    station_id: int | None
    client_id: int | None
    client_name: str | None = None  # whom the event is about, by name
    volunteer_id: int | None
    volunteer_name: str | None = None
    changes: dict[str, Any]
    hash: str | None
