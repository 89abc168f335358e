"""Volunteers and their availability over HTTP."""

from fastapi import APIRouter

from dispatch.crud.endpoints import record_router
from dispatch.crud.service import ListQuery
from dispatch.deps import availability_service, volunteer_service
from models import (
    AvailabilityCreate,
    AvailabilityPublic,
    AvailabilityUpdate,
    VolunteerCreate,
    VolunteerPublic,
    VolunteerUpdate,
)
from models.enums import AvailabilityKind, GeocodeStatus, TravelMode


class VolunteerFilters(ListQuery):
    travel_mode: TravelMode | None = None
    active: bool | None = None
    geocode_status: GeocodeStatus | None = None


class AvailabilityFilters(ListQuery):
    volunteer_id: int | None = None
    kind: AvailabilityKind | None = None


router = APIRouter()
router.include_router(
    record_router(
        volunteer_service,
        prefix="/api/volunteers",
        label="volunteers",
        public=VolunteerPublic,
        create=VolunteerCreate,
        update=VolunteerUpdate,
        filters=VolunteerFilters,
    )
)
router.include_router(
    record_router(
        availability_service,
        prefix="/api/availability",
        label="availability",
        public=AvailabilityPublic,
        create=AvailabilityCreate,
        update=AvailabilityUpdate,
        filters=AvailabilityFilters,
    )
)
