"""Volunteers and their availability over HTTP."""

from fastapi import APIRouter

from dispatch.crud.endpoints import record_router
from dispatch.deps import availability_service, volunteer_service
from dispatch.volunteers.schemas import (
    AvailabilityCreate,
    AvailabilityFilters,
    AvailabilityPublic,
    AvailabilityUpdate,
    VolunteerCreate,
    VolunteerFilters,
    VolunteerPublic,
    VolunteerUpdate,
)

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
