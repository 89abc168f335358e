"""Teams of a station: community teams and village points, with their volunteers and clients."""

from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase
from models.enums import TeamKind
from models.validation import Name


class TeamBase(SQLModel):
    name: Name = Field(max_length=120)
    kind: TeamKind = Field(default=TeamKind.COMMUNITY, sa_type=EnumText(TeamKind, 20))
    # A village point's own pickup site (its kitchen or collection point), if it has one.
    site_id: int | None = Field(default=None, foreign_key="site.id")
    notes: str = Field(default="", max_length=1000)
    external_id: str | None = Field(default=None, max_length=64, index=True)


class Team(TeamBase, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)
