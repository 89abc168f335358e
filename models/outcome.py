"""What happened at each stop, as the volunteer recorded it: events, never overwritten."""

from datetime import datetime
from typing import Self

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from models.common import EnumText, UtcDateTime, utcnow
from models.enums import OutcomeKind, ProofStatus, RoundEvent
from models.station import Latitude, Longitude
from models.validation import check_coordinates


class OutcomeBase(SQLModel):
    # Made by the phone, once per tap: a retried or doubled submission is stored once.
    client_event_id: str = Field(min_length=8, max_length=64, unique=True, index=True)
    kind: OutcomeKind = Field(sa_type=EnumText(OutcomeKind, 20))
    recorded_at: datetime = Field(sa_type=UtcDateTime)  # when it happened, by the phone
    note: str = Field(default="", max_length=1000)
    concern: bool = False  # "I'm worried about this client"
    lat: Latitude | None = None  # only if the volunteer let the phone share it
    lon: Longitude | None = None

    @model_validator(mode="after")
    def _position(self) -> Self:
        check_coordinates(self.lat, self.lon)
        return self


class Outcome(OutcomeBase, table=True):
    """One event; a correction is a later event for the same stop."""

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    plan_stop_id: int = Field(foreign_key="plan_stop.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    entered_by_coordinator: bool = False  # from a paper sheet
    proof: ProofStatus = Field(default=ProofStatus.NONE, sa_type=EnumText(ProofStatus, 10))


class OutcomeRecord(OutcomeBase):
    """An event as stored, without the table's machinery: what recording one passes on
    (building a table row costs an outcome more than writing it)."""

    id: int
    station_id: int
    plan_stop_id: int
    task_id: int
    volunteer_id: int
    received_at: datetime
    entered_by_coordinator: bool
    proof: ProofStatus


class RoundMark(SQLModel, table=True):
    """The start or the finish of a volunteer's round (their hours)."""

    __tablename__ = "round_mark"

    id: int | None = Field(default=None, primary_key=True)
    client_event_id: str = Field(min_length=8, max_length=64, unique=True, index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    plan_route_id: int = Field(foreign_key="plan_route.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    event: RoundEvent = Field(sa_type=EnumText(RoundEvent, 10))
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
