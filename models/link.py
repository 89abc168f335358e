"""A signed link to a volunteer's route of one day, sent by message: no password needed."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.common import UtcDateTime, utcnow


class RouteLink(SQLModel, table=True):
    """The link's token is signed and names this row; revoking the row kills the link."""

    __tablename__ = "route_link"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    service_date: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
