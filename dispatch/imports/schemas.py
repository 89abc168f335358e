"""What an import answers: how many records it made, changed or left as they were."""

from pydantic import BaseModel


class ImportReport(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pending_geocoding: int = 0
    ignored_columns: list[str] = []
