"""What each kitchen cooks per diet and day, with its allergens (checked on meal labels)."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource, in_scope
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.days.schemas import MenuCreate, MenuUpdate
from dispatch.errors import InvalidInput, NotFound
from dispatch.i18n import N_
from models import Menu, Site
from models.enums import SiteKind


class MenuService(RecordService[Menu, MenuCreate, MenuUpdate]):
    resource = Resource.MENU

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                Menu, search_columns=("dish",), order_by=("service_date", "site_id", "diet")
            ),
            MenuCreate,
        )

    def station_of_new(self, session: Session, principal: Principal, data: MenuCreate) -> int:
        site = session.get(Site, data.site_id)
        if site is None or not in_scope(principal, Resource.SITE, site.station_id, site):
            raise NotFound("site", data.site_id)
        return site.station_id

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        site = session.get(Site, values["site_id"])
        if site is None or site.station_id != station_id:
            raise InvalidInput.field("site_id", N_("not a site of this station"))
        if site.kind != SiteKind.KITCHEN:
            raise InvalidInput.field("site_id", N_("%(site)s is not a kitchen"), site=site.name)
