"""Sites: the kitchens, pharmacies and offices where rounds pick up or start."""

from dispatch.access import Resource
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.sites.schemas import SiteCreate, SiteUpdate
from models import Site


class SiteService(RecordService[Site, SiteCreate, SiteUpdate]):
    resource = Resource.SITE

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(Site, search_columns=("name", "address", "phone")), SiteCreate
        )
