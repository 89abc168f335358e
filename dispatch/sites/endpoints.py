"""Sites (kitchens, pharmacies, offices) over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.crud.service import ListQuery
from dispatch.deps import site_service
from models import SiteCreate, SitePublic, SiteUpdate
from models.enums import SiteKind


class SiteFilters(ListQuery):
    kind: SiteKind | None = None


router = record_router(
    site_service,
    prefix="/api/sites",
    label="sites",
    public=SitePublic,
    create=SiteCreate,
    update=SiteUpdate,
    filters=SiteFilters,
)
