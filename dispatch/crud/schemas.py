"""What every list and record answer shares: a page of records, and the public fields of a
record."""

from datetime import datetime
from typing import Generic

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from models.common import T


class RecordPublic(SQLModel):
    id: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class ListQuery(BaseModel):
    """Paging, search and archive filter shared by every list endpoint."""

    q: str | None = None
    station_id: int | None = None
    include_archived: bool = False
    # A page outside these bounds is refused (422), not quietly moved into them.
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=500)


class RecordUpdate(SQLModel):
    """A change to a record: only the fields sent change, and a field it does not have (or
    may not change, such as its station) is refused with 422 instead of ignored."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
