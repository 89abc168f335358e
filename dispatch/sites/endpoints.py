"""Sites (kitchens, pharmacies, offices) over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.deps import site_service
from dispatch.sites.schemas import SiteCreate, SiteFilters, SitePublic, SiteUpdate

router = record_router(
    site_service,
    prefix="/api/sites",
    label="sites",
    public=SitePublic,
    create=SiteCreate,
    update=SiteUpdate,
    filters=SiteFilters,
)
