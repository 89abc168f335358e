"""Sites (kitchens, pharmacies, offices) over HTTP."""

from fastapi import APIRouter

from dispatch.records.endpoints import record_router
from dispatch.records.service import ListQuery
from dispatch.services import Services
from models import SiteCreate, SitePublic, SiteUpdate
from models.enums import SiteKind


class SiteFilters(ListQuery):
    kind: SiteKind | None = None


def build_router(services: Services) -> APIRouter:
    return record_router(
        services.sites,
        prefix="/api/sites",
        label="sites",
        public=SitePublic,
        create=SiteCreate,
        update=SiteUpdate,
        filters=SiteFilters,
    )
