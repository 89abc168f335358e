"""Teams and village points over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.deps import team_service
from dispatch.teams.schemas import TeamCreate, TeamFilters, TeamPublic, TeamUpdate

router = record_router(
    team_service,
    prefix="/api/teams",
    label="teams",
    public=TeamPublic,
    create=TeamCreate,
    update=TeamUpdate,
    filters=TeamFilters,
)
