"""Client files over HTTP."""

from fastapi import APIRouter

from dispatch.records.endpoints import record_router
from dispatch.records.service import ListQuery
from dispatch.services import Services
from models import ClientCreate, ClientPublic, ClientUpdate
from models.enums import ClientStatus, Diet, GeocodeStatus


class ClientFilters(ListQuery):
    status: ClientStatus | None = None
    diet: Diet | None = None
    lives_alone: bool | None = None
    geocode_status: GeocodeStatus | None = None


def build_router(services: Services) -> APIRouter:
    return record_router(
        services.clients,
        prefix="/api/clients",
        label="clients",
        public=ClientPublic,
        create=ClientCreate,
        update=ClientUpdate,
        filters=ClientFilters,
    )
