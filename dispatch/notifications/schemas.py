"""What contact preferences and the outbox take and answer over HTTP."""

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.enums import Audience, Channel, NoticeEvent, NoticeStatus
from models.notification import ContactPreferenceBase
from models.station import Locale
from models.validation import LocalTime


class PreferenceCreate(ContactPreferenceBase):
    station_id: int


class PreferenceUpdate(RecordUpdate):
    audience: Audience | None = None
    person_id: int | None = None
    channel: Channel | None = None
    address: str | None = Field(default=None, min_length=3, max_length=500)
    locale: Locale | None = None
    quiet_start: LocalTime | None = None
    quiet_end: LocalTime | None = None
    consent_on: date | None = None
    opted_out_at: datetime | None = None
    on_duty: bool | None = None
    notes: str | None = Field(default=None, max_length=300)


class PreferencePublic(ContactPreferenceBase, RecordPublic):
    station_id: int


class PreferenceFilters(ListQuery):
    audience: Audience | None = None
    person_id: int | None = None


class AttemptPublic(BaseModel):
    sender: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    detail: str


class OutboxQuery(BaseModel):
    """Which messages of the outbox: the last `days`, of one status or all, a page of them."""

    days: int = Field(default=7, ge=1, le=92)
    status: NoticeStatus | None = None
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=100, ge=1, le=500)


class NotificationPublic(BaseModel):
    """A message in the outbox: to whom, about what, and how its sending went."""

    id: int
    event: NoticeEvent
    audience: Audience
    person_id: int
    to_name: str  # the person's (or the chat's) name, as the office knows them
    channel: Channel
    locale: str
    subject: str
    body: str  # with {link} where the sender puts the link
    link: str  # a page's path, or "route_link:<id>" (its signed address is made when sent)
    urgent: bool
    status: NoticeStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
    log: list[AttemptPublic]
