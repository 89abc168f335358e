"""Create, read, update and archive for every station-scoped record.

Access rules come from dispatch.access, every change goes to the audit trail, and an update
is validated as a whole (the stored record with the changes applied), so a change to one end
of a time window is checked against the other end.
"""

import builtins
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from dispatch.access import (
    VOLUNTEER_OWN_COLUMN,
    Action,
    Principal,
    Resource,
    in_scope,
    own_rows_value,
    require,
)
from dispatch.access import station_scope as scope_of
from dispatch.audit import chain
from dispatch.crud.repository import RecordRepository, RowT
from dispatch.crud.schemas import ListQuery, Page
from dispatch.errors import Conflict, HasHistory, InvalidInput, NotFound
from dispatch.i18n import N_
from models import TableBase
from models.common import TypedJSON, utcnow

CreateT = TypeVar("CreateT", bound=SQLModel)
UpdateT = TypeVar("UpdateT", bound=SQLModel)


class RecordService(Generic[RowT, CreateT, UpdateT]):
    resource: ClassVar[Resource]

    def __init__(self, repository: RecordRepository[RowT], create_schema: type[CreateT]) -> None:
        self.repository = repository
        self.create_schema = create_schema
        self.table = repository.table

    # --- hooks a feature overrides -------------------------------------------------------

    def station_of_new(self, session: Session, principal: Principal, data: CreateT) -> int | None:
        """The station a new record belongs to (by default: its station_id field).

        None for a record that is itself a station."""
        station_id: int = data.station_id  # type: ignore[attr-defined]
        return station_id

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        """Raise InvalidInput where a referenced record is unknown or of another station."""

    def prepare(
        self, session: Session, principal: Principal, values: dict[str, Any], changed: set[str]
    ) -> None:
        """Derive stored fields (geocoding, datum conversion) from the fields being set."""

    def runs_from(self, row: RowT, day: date) -> bool:
        """Whether the record still applies on or after `day` (a schedule not ended, leave
        not over); by default it does."""
        return True

    # --- operations ----------------------------------------------------------------------

    def list(
        self,
        session: Session,
        principal: Principal,
        query: ListQuery,
        filters: Mapping[str, Any] | None = None,
    ) -> Page[RowT]:
        require(principal, self.resource, Action.READ)
        equals = {k: v for k, v in (filters or {}).items() if v is not None}
        own = own_rows_value(principal, self.resource)
        if own is not None:
            equals[VOLUNTEER_OWN_COLUMN[self.resource]] = own
        stations = scope_of(principal)
        if query.station_id is not None:
            stations = (
                frozenset({query.station_id})
                if stations is None or query.station_id in stations
                else frozenset()
            )
        rows, total = self.repository.page(
            session,
            station_ids=stations,
            equals=equals,
            search=query.q,
            include_archived=query.include_archived,
            offset=(query.page - 1) * query.page_size,
            limit=query.page_size,
        )
        return Page(items=rows, total=total, page=query.page, page_size=query.page_size)

    def current_of(
        self, session: Session, principal: Principal, owner: str, ids: Collection[int], day: date
    ) -> dict[int, builtins.list[RowT]]:
        """The records of each of these clients or volunteers (`owner`: the column naming
        them) that apply on or after `day`, in the list's order; one with none is not a key."""
        require(principal, self.resource, Action.READ)
        rows, _ = self.repository.page(
            session,
            station_ids=scope_of(principal),
            equals={owner: frozenset(ids)},
            search=None,
            include_archived=False,
            offset=0,
            limit=None,
        )
        found: dict[int, builtins.list[RowT]] = {}
        for row in rows:
            if self.runs_from(row, day):
                found.setdefault(getattr(row, owner), []).append(row)
        return found

    def public(self, session: Session, principal: Principal, row: RowT) -> Any:
        """The record as this reader may see it (by default: all of it). Never changes the
        row: it belongs to the session, and would be saved."""
        return row

    def get(self, session: Session, principal: Principal, row_id: int) -> RowT:
        require(principal, self.resource, Action.READ)
        return self._reachable(session, principal, row_id)

    def editable(self, session: Session, principal: Principal, row_id: int) -> RowT:
        """The record, for a form that changes it: refused to whom may only read it."""
        require(principal, self.resource, Action.UPDATE)
        return self._reachable(session, principal, row_id)

    def create(self, session: Session, principal: Principal, data: CreateT) -> RowT:
        require(principal, self.resource, Action.CREATE)
        station_id = self.station_of_new(session, principal, data)
        values = self.row_values(data)
        if station_id is not None:
            self.ensure_station(principal, station_id)
            values[self.repository.station_column] = station_id
        self.check_references(session, station_id, values)
        self.prepare(session, principal, values, set(data.model_fields_set) | set(values))
        with self._unique():
            row = self.repository.add(session, self.table(**values))
        self._audit(session, principal, "create", row, {}, snapshot(row))
        return row

    def update(self, session: Session, principal: Principal, row_id: int, data: UpdateT) -> RowT:
        require(principal, self.resource, Action.UPDATE)
        row = self._reachable(session, principal, row_id)
        changes = data.model_dump(exclude_unset=True)
        try:
            merged = self.create_schema.model_validate(snapshot(row, json=False) | changes)
        except ValidationError as error:
            raise InvalidInput.of(error) from error
        values = {k: v for k, v in self.row_values(merged).items() if k in changes}
        self.check_references(session, self.station_id_of(row), snapshot(row, json=False) | values)
        self.prepare(session, principal, values, set(changes))
        before = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        session.add(row)
        with self._unique():
            session.flush()
        self._audit(session, principal, "update", row, before, snapshot(row))
        return row

    def archive(self, session: Session, principal: Principal, row_id: int) -> RowT:
        return self._set_archived(session, principal, row_id, archived=True)

    def restore(self, session: Session, principal: Principal, row_id: int) -> RowT:
        return self._set_archived(session, principal, row_id, archived=False)

    def delete(self, session: Session, principal: Principal, row_id: int) -> None:
        """Delete a record entered by mistake; anything with history is archived instead."""
        require(principal, self.resource, Action.ARCHIVE)
        row = self._reachable(session, principal, row_id)
        before = snapshot(row)
        if not self.repository.delete(session, row):
            raise HasHistory(
                N_("%(kind)s %(id)s has history that refers to it; archive it instead"),
                kind=self.resource.value,
                id=row_id,
            )
        chain.record(
            session,
            principal,
            action="delete",
            entity=self.resource,
            entity_id=row_id,
            station_id=before.get(self.repository.station_column),
            changes=chain.diff(before, {}),
        )

    # --- helpers -------------------------------------------------------------------------

    @contextmanager
    def _unique(self) -> Iterator[None]:
        """A record that would repeat one that must be unique (a client invited twice, a
        second preference for one person) is a conflict, not a server error; the request's
        transaction is rolled back with it."""
        try:
            yield
        except IntegrityError as error:
            if not _duplicate(error):
                raise  # a reference the checks let through: a fault, not the user's
            raise Conflict(
                N_("such a %(kind)s exists already"), kind=self.resource.value
            ) from error

    def ensure_station(self, principal: Principal, station_id: int) -> None:
        scope = scope_of(principal)
        if scope is not None and station_id not in scope:
            raise NotFound("station", station_id)

    def station_id_of(self, row: RowT) -> int:
        station_id: int = getattr(row, self.repository.station_column)
        return station_id

    def row_values(self, data: SQLModel) -> dict[str, Any]:
        """Schema values as the table stores them: plain JSON columns get JSON-ready values,
        typed ones the typed values they are read back as."""
        columns = self.table.__table__.columns  # type: ignore[attr-defined]
        values = data.model_dump()
        json_values = data.model_dump(mode="json")
        return {
            name: getattr(data, name)
            if isinstance(columns[name].type, TypedJSON)
            else json_values[name]
            if isinstance(columns[name].type, JSON)
            else value
            for name, value in values.items()
            if name in columns
        }

    def _reachable(self, session: Session, principal: Principal, row_id: int) -> RowT:
        row = self.repository.get(session, row_id)
        if row is None or not in_scope(principal, self.resource, self.station_id_of(row), row):
            raise NotFound(self.resource, row_id)
        return row

    def _set_archived(
        self, session: Session, principal: Principal, row_id: int, *, archived: bool
    ) -> RowT:
        require(principal, self.resource, Action.ARCHIVE)
        row = self._reachable(session, principal, row_id)
        if (row.archived_at is not None) == archived:
            return row  # already so: archiving twice is not an error, and changes nothing
        before = snapshot(row)
        row.archived_at = utcnow() if archived else None
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        self._audit(
            session, principal, "archive" if archived else "restore", row, before, snapshot(row)
        )
        return row

    def _audit(
        self,
        session: Session,
        principal: Principal,
        action: str,
        row: RowT,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        chain.record(
            session,
            principal,
            action=action,
            entity=self.resource,
            entity_id=row.id,
            station_id=self.station_id_of(row),
            changes=chain.diff(before, after),
            client_id=getattr(row, "client_id", None),
            volunteer_id=getattr(row, "volunteer_id", None),
        )


def _duplicate(error: IntegrityError) -> bool:
    """Whether the database refused a repeated unique value (PostgreSQL's unique_violation,
    SQLite's UNIQUE constraint), not a missing reference."""
    cause = error.orig
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(cause)


def snapshot(row: TableBase, *, json: bool = True) -> dict[str, Any]:
    """The row's column values (JSON-ready unless json=False)."""
    values = {c.name: getattr(row, c.name) for c in row.__table__.columns}  # type: ignore[attr-defined]
    return to_jsonable_python(values) if json else values
