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
