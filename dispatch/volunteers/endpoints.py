"""Volunteers and their availability over HTTP."""

from fastapi import APIRouter

from dispatch.records.endpoints import record_router
from dispatch.records.service import ListQuery
from dispatch.services import Services
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


def build_router(services: Services) -> APIRouter:
    router = APIRouter()
    router.include_router(
        record_router(
            services.volunteers,
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
            services.availability,
            prefix="/api/availability",
            label="availability",
            public=AvailabilityPublic,
            create=AvailabilityCreate,
            update=AvailabilityUpdate,
            filters=AvailabilityFilters,
        )
    )
    return router
