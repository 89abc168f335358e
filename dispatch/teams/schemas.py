"""What team records take and answer over HTTP."""

from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.enums import TeamKind
from models.team import TeamBase
from models.validation import Name


class TeamCreate(TeamBase):
    station_id: int


class TeamUpdate(RecordUpdate):
    name: Name | None = Field(default=None, max_length=120)
    kind: TeamKind | None = None
    site_id: int | None = None
    notes: str | None = Field(default=None, max_length=1000)
    external_id: str | None = Field(default=None, max_length=64)


class TeamPublic(TeamBase, RecordPublic):
    station_id: int


class TeamFilters(ListQuery):
    kind: TeamKind | None = None
