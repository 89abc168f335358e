"""A volunteer releasing a day they can no longer do, and its offer to someone else."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.common import EnumText, UtcDateTime, utcnow
from models.enums import ReleaseStatus


class RouteRelease(SQLModel, table=True):
    """The released route stays on the plan, so nobody is forgotten, until a re-plan gives
    it to others or to the volunteer who took it."""

    __tablename__ = "route_release"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    service_date: date = Field(index=True)
    reason: str = Field(default="", max_length=300)
    released_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    status: ReleaseStatus = Field(default=ReleaseStatus.OPEN, sa_type=EnumText(ReleaseStatus, 12))
    offered_to_volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id")
    taken_by_volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id")
    planning_job_id: int | None = Field(default=None, foreign_key="planning_job.id")


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
