"""What activities and invitations take and answer over HTTP."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.activity import ActivityBase, InvitationBase
from models.enums import ActivityKind
from models.validation import LocalTime, Name


class ActivityCreate(ActivityBase):
    station_id: int


class ActivityUpdate(RecordUpdate):
    title: Name | None = Field(default=None, max_length=120)
    kind: ActivityKind | None = None
    service_date: date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    site_id: int | None = None
    notes: str | None = Field(default=None, max_length=1000)
    external_id: str | None = Field(default=None, max_length=64)


class ActivityPublic(ActivityBase, RecordPublic):
    station_id: int


class ActivityFilters(ListQuery):
    kind: ActivityKind | None = None
    service_date: date | None = None


class InvitationCreate(InvitationBase):
    station_id: int


class InvitationUpdate(RecordUpdate):
    needs_escort: bool | None = None
    attended: bool | None = None
    notes: str | None = Field(default=None, max_length=300)


class InvitationPublic(InvitationBase, RecordPublic):
    station_id: int


class InvitationFilters(ListQuery):
    activity_id: int | None = None
    client_id: int | None = None


class ActivityFigures(BaseModel):
    """A period's activities: how many were held, whom they invited, who came."""

    held: int = 0
    invited: int = 0
    attended: int = 0
    absent: int = 0
    not_recorded: int = 0  # attendance not taken yet
    needing_escort: int = 0
