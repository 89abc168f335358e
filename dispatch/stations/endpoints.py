"""Stations over HTTP."""

from fastapi import APIRouter

from dispatch.records.endpoints import record_router
from dispatch.services import Services
from models import StationCreate, StationPublic, StationUpdate


def build_router(services: Services) -> APIRouter:
    return record_router(
        services.stations,
        prefix="/api/stations",
        label="stations",
        public=StationPublic,
        create=StationCreate,
        update=StationUpdate,
    )
