"""Teams: a station's community teams and village points."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require, station_scope
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import InvalidInput
from dispatch.i18n import N_
from dispatch.teams import repository
from dispatch.teams.schemas import TeamCreate, TeamUpdate
from models import Site, Station, Team


class TeamService(RecordService[Team, TeamCreate, TeamUpdate]):
    resource = Resource.TEAM

    def __init__(self) -> None:
        super().__init__(RecordRepository(Team, search_columns=("name", "notes")), TeamCreate)

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        site_id = values.get("site_id")
        if site_id is None:
            return
        site = session.get(Site, site_id)
        if site is None or site.station_id != station_id:
            raise InvalidInput.field(
                "site_id", N_("site %(site)s is not a site of this station"), site=site_id
            )


def check_team(session: Session, station_id: int | None, team_id: int | None) -> None:
    """A volunteer's or client's team must be one of their station's."""
    if team_id is None:
        return
    team = session.get(Team, team_id)
    if team is None or team.station_id != station_id:
        raise InvalidInput.field(
            "team_id", N_("team %(team)s is not a team of this station"), team=team_id
        )


def members(
    session: Session, principal: Principal, team_id: int
) -> tuple[Team, set[int], set[int]]:
    """The team, its clients and its volunteers (ids), for the pages' team filter."""
    team = reachable(session, principal, Team, team_id, "team")
    clients, volunteers = repository.members(session, team_id)
    return team, clients, volunteers


def teams_of(session: Session, principal: Principal, station_id: int | None = None) -> list[Team]:
    """The station's teams (without one, those of every station within reach), by name: the
    choices of the pages' team filter."""
    require(principal, Resource.TEAM, Action.READ)
    stations = station_scope(principal)
    if station_id is not None:
        reachable(session, principal, Station, station_id, "station")
        stations = frozenset({station_id})
    return sorted(repository.of_stations(session, stations), key=lambda team: team.name)
