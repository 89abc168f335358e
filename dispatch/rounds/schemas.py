"""What the volunteer's round takes and answers over HTTP."""

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from models.enums import ReleaseStatus
from models.outcome import OutcomeBase, OutcomeRecord


class RoundMarkRequest(BaseModel):
    client_event_id: str = Field(min_length=8, max_length=64)
    recorded_at: datetime


class RouteLinkCreate(SQLModel):
    volunteer_id: int
    service_date: date
    hours: int = Field(default=24, ge=1, le=7 * 24)  # how long the link works


class RouteLinkPublic(SQLModel):
    id: int
    volunteer_id: int
    volunteer_name: str
    service_date: date
    expires_at: datetime
    revoked_at: datetime | None
    url: str | None = None  # only when the link is made: it is not kept


class OutcomeCreate(OutcomeBase):
    # The code on the client's card, as given at the door; checked, never stored.
    card_code: str | None = Field(default=None, max_length=20)


class OutcomePublic(OutcomeRecord):
    duplicate: bool = False  # this id had already been stored: nothing new was written


class ReleaseCreate(SQLModel):
    reason: str = Field(default="", max_length=300)


class OfferCreate(SQLModel):
    volunteer_id: int


class ReleasePublic(SQLModel):
    id: int
    volunteer_id: int
    volunteer_name: str
    service_date: date
    reason: str
    released_at: datetime
    status: ReleaseStatus
    offered_to_volunteer_id: int | None
    offered_to_name: str | None
    taken_by_volunteer_id: int | None
    taken_by_name: str | None
    planning_job_id: int | None
    stops: int  # doors on the released route
    depart: str | None  # when the route leaves


class Collect(BaseModel):
    site_name: str
    address: str
    at: str  # HH:MM
    doors_before: int  # the route's doors before this collection: where it comes in the round
    counts: dict[str, int]  # per diet for meals, "medicine" for a pharmacy


class EscortLeg(BaseModel):
    """An escort's other end: the activity the client is taken to, or fetched from."""

    there: bool  # True: from the door to the activity; False: from it back to the door
    activity: str
    place: str
    address: str
    at: str  # when at the venue
    # Back only: the way there was recorded as not done (no answer, refused...): how.
    not_fetched: str | None = None


class MissedLast(BaseModel):
    service_date: date
    outcome: str


class DoorStop(BaseModel):
    stop_id: int
    number: int
    eta: str
    client_name: str
    address: str
    floor: int | None
    has_lift: bool | None
    key_box: str
    has_dog: bool
    access_notes: str
    diet: str
    bring: str  # "meal" x quantity, "medicine", "visit", "escort_there" or "escort_back"
    quantity: int
    phone: str | None
    lat: float | None
    lon: float | None
    outcome: str | None  # the last outcome recorded here, if any
    concern: bool  # that outcome raised a concern
    escort: EscortLeg | None = None
    # The last word from this door on the days before, when it was not a delivery (nobody
    # opened, not home, refused): worth a call before climbing the stairs.
    missed_last: MissedLast | None = None


class MyRoute(BaseModel):
    service_date: date
    station_id: int
    volunteer_id: int
    volunteer_name: str
    volunteer_phone: str | None
    plan_status: str
    plan_version: int
    needs_recheck: bool
    proof_of_delivery: bool  # ask for the client's card code at the door
    started: bool
    finished: bool
    # The day has not begun at the station: what happens at a door is recorded on the day.
    ahead: bool
    depart: str
    collect: list[Collect]
    stops: list[DoorStop]


class RouteSheets(BaseModel):
    plan_id: int
    station_id: int
    service_date: date
    plan_status: str
    routes: list[MyRoute]
