"""What every list and record answer shares: a page of records, and the public fields of a
record."""

from datetime import datetime
from typing import Any, Generic

from pydantic import BaseModel
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
    page: int = 1
    page_size: int = 50

    def model_post_init(self, _context: Any) -> None:
        self.page = max(self.page, 1)
        self.page_size = min(max(self.page_size, 1), 500)
