"""Stations over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.deps import station_service
from dispatch.stations.schemas import StationCreate, StationPublic, StationUpdate

router = record_router(
    station_service,
    prefix="/api/stations",
    label="stations",
    public=StationPublic,
    create=StationCreate,
    update=StationUpdate,
)
