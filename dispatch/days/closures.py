"""The station's own closing days, on top of the public holidays it observes."""

from dispatch.access import Resource
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.days.schemas import ClosureCreate, ClosureUpdate
from models import StationClosure


class ClosureService(RecordService[StationClosure, ClosureCreate, ClosureUpdate]):
    resource = Resource.CLOSURE

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                StationClosure, search_columns=("reason",), order_by=("date_from", "id")
            ),
            ClosureCreate,
        )
