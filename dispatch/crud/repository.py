"""Queries shared by every station-scoped table; repositories flush, never commit."""

from collections.abc import Mapping, Sequence, Set
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, false, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import TableBase

RowT = TypeVar("RowT", bound=TableBase)


class RecordRepository(Generic[RowT]):
    def __init__(
        self,
        table: type[RowT],
        *,
        station_column: str = "station_id",
        search_columns: Sequence[str] = ("name", "phone"),
        order_by: Sequence[str] = ("name", "id"),
    ) -> None:
        self.table = table
        self.station_column = station_column
        self.search_columns = search_columns
        self.order_by = order_by

    def column(self, name: str) -> Any:
        return getattr(self.table, name)

    def get(self, session: Session, row_id: int) -> RowT | None:
        return session.get(self.table, row_id)

    def page(
        self,
        session: Session,
        *,
        station_ids: frozenset[int] | None,
        equals: Mapping[str, Any],
        search: str | None,
        include_archived: bool,
        offset: int,
        limit: int | None,
    ) -> tuple[list[RowT], int]:
        """A page of the rows; an `equals` value that is a set matches any of its members."""
        conditions: list[ColumnElement[bool]] = []
        if station_ids is not None:
            station = col(self.column(self.station_column))
            conditions.append(station.in_(station_ids) if station_ids else false())
        conditions += [
            col(self.column(name)).in_(value)
            if isinstance(value, Set)
            else col(self.column(name)) == value
            for name, value in equals.items()
        ]
        if not include_archived:
            conditions.append(col(self.table.archived_at).is_(None))
        if search:
            pattern = f"%{search.strip()}%"
            conditions.append(
                or_(*(col(self.column(name)).ilike(pattern) for name in self.search_columns))
            )
        total = session.exec(select(func.count()).select_from(self.table).where(*conditions)).one()
        rows = session.exec(
            select(self.table)
            .where(*conditions)
            .order_by(*(col(self.column(name)) for name in self.order_by))
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total

    def find(self, session: Session, **equals: Any) -> list[RowT]:
        query = select(self.table).where(
            *(col(self.column(name)) == value for name, value in equals.items())
        )
        return list(session.exec(query).all())

    def add(self, session: Session, row: RowT) -> RowT:
        session.add(row)
        session.flush()
        return row

    def delete(self, session: Session, row: RowT) -> bool:
        """Delete the row unless another row refers to it (then False, and nothing changes)."""
        try:
            with session.begin_nested():
                session.delete(row)
                session.flush()
        except IntegrityError:
            return False
        return True
