"""Importing clients and volunteers from a spreadsheet: every row, or none.

Rows are validated with the same schemas as the API; every problem is collected (row number,
column, reason) and a file with any problem is rejected whole. Re-importing a file updates
the records it created (matched on external id, else on name + phone) and never duplicates.
Addresses without coordinates are geocoded afterwards, in the background.
"""

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session, SQLModel

from dispatch.access import Action, Principal, require
from dispatch.clients.schemas import ClientCreate, ClientUpdate
from dispatch.clients.service import ClientService
from dispatch.container import Services
from dispatch.crud.service import RecordService, snapshot
from dispatch.errors import DispatchError, ImportRejected, InvalidInput
from dispatch.geocoding.service import to_wgs84
from dispatch.i18n import N_
from dispatch.imports.columns import (
    BOOLEAN_VALUES,
    CLIENT_COLUMNS,
    LIST_FIELDS,
    LIST_SEPARATORS,
    VALUE_ALIASES,
    VOLUNTEER_COLUMNS,
    field_for_header,
)
from dispatch.imports.readers import problem, read_table
from dispatch.imports.schemas import ImportReport
from dispatch.volunteers.schemas import VolunteerCreate, VolunteerUpdate
from dispatch.volunteers.service import VolunteerService
from models import Client, Volunteer
from models.enums import Datum, GeocodeStatus

ImportKind = Literal["clients", "volunteers"]
_BOOLEAN_FIELDS = frozenset({"has_lift", "has_dog", "lives_alone", "active"})


@dataclasses.dataclass(frozen=True)
class _Spec:
    columns: dict[str, tuple[str, ...]]
    create: type[SQLModel]
    update: type[SQLModel]
    service: Callable[[Services], RecordService[Any, Any, Any]]


_SPECS: dict[str, _Spec] = {
    "clients": _Spec(
        CLIENT_COLUMNS,
        ClientCreate,
        ClientUpdate,
        lambda s: ClientService(s.geocoder, defer_geocoding=True),
    ),
    "volunteers": _Spec(
        VOLUNTEER_COLUMNS,
        VolunteerCreate,
        VolunteerUpdate,
        lambda s: VolunteerService(s.geocoder, defer_geocoding=True),
    ),
}


@dataclasses.dataclass
class _Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, Any]
    data: SQLModel | None = None


@dataclasses.dataclass
class StagedImport:
    """A file read and checked, nothing written yet; then what was written, to undo it."""

    spec: _Spec
    service: RecordService[Any, Any, Any]
    principal: Principal
    station_id: int
    rows: list[_Row]
    report: ImportReport
    created: list[int] = dataclasses.field(default_factory=list)
    updated: list[tuple[int, dict[str, Any]]] = dataclasses.field(default_factory=list)


def import_records(
    session: Session,
    services: Services,
    principal: Principal,
    kind: str,
    station_id: int,
    filename: str,
    content: bytes,
    max_rows: int,
) -> ImportReport:
    """The whole file in the caller's transaction (the command line: nobody waits on it)."""
    staged = stage_import(services, principal, kind, station_id, filename, content, max_rows)
    apply_rows(session, staged, staged.rows)
    return staged.report


def stage_import(
    services: Services,
    principal: Principal,
    kind: str,
    station_id: int,
    filename: str,
    content: bytes,
    max_rows: int,
) -> StagedImport:
    """Read and check every row without touching the database: a file with any problem is
    rejected here, whole, with every problem listed."""
    spec = _SPECS.get(kind)
    if spec is None:
        raise InvalidInput.field(
            "kind", N_("%(kind)s cannot be imported; use clients or volunteers"), kind=repr(kind)
        )
    service = spec.service(services)
    require(principal, service.resource, Action.CREATE)
    require(principal, service.resource, Action.UPDATE)
    service.ensure_station(principal, station_id)
    principal = dataclasses.replace(principal, interface="import")

    table = read_table(filename, content, max_rows)
    problems: list[dict[str, Any]] = []
    header_fields, headers, ignored = _map_headers(spec, table[0] if table else [], problems)
    rows = _parse_rows(table[1:], header_fields, headers, spec, station_id, problems)
    _find_duplicates(rows, headers, problems)
    if problems:
        raise ImportRejected(problems)
    report = ImportReport(ignored_columns=ignored)
    return StagedImport(spec, service, principal, station_id, [r for r in rows if r.data], report)


def apply_rows(session: Session, staged: StagedImport, rows: list[_Row]) -> None:
    """Create or update the records of `rows` (matched on external id, else name + phone);
    what is written is noted on `staged`, for undo(). A row the database refuses (a
    reference the schema alone cannot check) rejects the file: the caller undoes the rest."""
    problems: list[dict[str, Any]] = []
    for row in rows:
        try:
            _save(session, staged, row)
        except DispatchError as error:
            problems.append(problem(row.number, "", error.template, **error.params))
    if problems:
        raise ImportRejected(problems)  # the caller's transaction rolls back what was written


def undo(session: Session, staged: StagedImport) -> None:
    """Take back what earlier, committed parts of the import wrote: the records it created
    are deleted, the ones it changed get their values back (the audit trail keeps both)."""
    service, principal = staged.service, staged.principal
    for row_id in reversed(staged.created):
        service.delete(session, principal, row_id)
    for row_id, before in reversed(staged.updated):
        service.update(session, principal, row_id, staged.spec.update.model_validate(before))
    staged.created.clear()
    staged.updated.clear()


def _map_headers(
    spec: _Spec, header_row: list[str], problems: list[dict[str, Any]]
) -> tuple[list[str | None], dict[str, str], list[str]]:
    fields: list[str | None] = []
    headers: dict[str, str] = {}  # field -> the header the file used
    ignored: list[str] = []
    for header in header_row:
        field = field_for_header(spec.columns, header) if header else None
        if field is None:
            if header:
                ignored.append(header)
        elif field in headers:
            twice = N_("the column %(column)s appears twice")
            problems.append(problem(1, header, twice, column=header))
            field = None
        else:
            headers[field] = header
        fields.append(field)
    if "name" not in headers:
        problems.append(problem(1, "", N_("the file has no name column (姓名 or name)")))
    return fields, headers, ignored


def _parse_rows(
    body: list[list[str]],
    header_fields: list[str | None],
    headers: dict[str, str],
    spec: _Spec,
    station_id: int,
    problems: list[dict[str, Any]],
) -> list[_Row]:
    rows: list[_Row] = []
    for offset, cells in enumerate(body):
        number = offset + 2
        values: dict[str, Any] = {}
        for field, cell in zip(header_fields, cells, strict=False):
            if field is not None and cell.strip():
                try:
                    values[field] = _cell_value(field, cell.strip())
                except NotYesOrNo as error:
                    not_yes_or_no = N_("“%(value)s” is not yes/no (是/否)")
                    problems.append(
                        problem(number, headers[field], not_yes_or_no, value=error.text)
                    )
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        row = _Row(number, values)
        try:
            row.data = spec.create.model_validate(values | {"station_id": station_id})
        except ValidationError as error:
            # Each kept with its sentence and values, for a page to say in its language.
            for e in InvalidInput.of(error).errors:
                field = str(e["loc"][1]) if len(e["loc"]) > 1 else ""
                column = headers.get(field, field)
                problems.append({"row": number, "column": column, "message": e["msg"], **e})
        rows.append(row)
    return rows


def _cell_value(field: str, text: str) -> Any:
    if field in _BOOLEAN_FIELDS:
        if text.lower() not in BOOLEAN_VALUES:
            raise NotYesOrNo(text)
        return BOOLEAN_VALUES[text.lower()]
    aliases = VALUE_ALIASES.get(field, {})
    if field in LIST_FIELDS:
        for separator in LIST_SEPARATORS:
            text = text.replace(separator, " ")
        return [aliases.get(item, item) for item in text.split()]
    return aliases.get(text, aliases.get(text.lower(), text))


class NotYesOrNo(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _match_key(row: _Row) -> tuple[str, ...] | None:
    """The file's rows and the stored records are matched on this; None for a row too
    broken to say whom it is about (no id, no name)."""
    if row.values.get("external_id"):
        return ("id", str(row.values["external_id"]))
    # A row refused for another cell is still matched on its cells as given.
    cells = dict(row.data) if row.data is not None else row.values
    name, phone = cells.get("name"), cells.get("phone")
    return ("name+phone", str(name), str(phone or "")) if name else None


def _find_duplicates(
    rows: list[_Row], headers: dict[str, str], problems: list[dict[str, Any]]
) -> None:
    """Rows about the same person, also those refused for another cell: the file is mended
    in one round, not one per kind of problem."""
    first_row: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = _match_key(row)
        if key is None:
            continue
        if key in first_row:
            column = headers.get("external_id" if key[0] == "id" else "name", "")
            same = N_("the same person as row %(row)s")
            problems.append(problem(row.number, column, same, row=first_row[key]))
        else:
            first_row[key] = row.number


def _save(session: Session, staged: StagedImport, row: _Row) -> None:
    assert row.data is not None
    service, spec, principal, report = staged.service, staged.spec, staged.principal, staged.report
    existing = _existing(session, service, staged.station_id, row)
    if existing is None:
        created = service.create(session, principal, row.data)
        assert created.id is not None
        staged.created.append(created.id)
        report.created += 1
        report.pending_geocoding += created.geocode_status is GeocodeStatus.PENDING
        return
    # Only the columns the file has are changed; empty cells leave a field as it is.
    stored = snapshot(existing, json=False)
    given = service.row_values(row.data)
    comparable = dict(given)
    if given.get("lat") is not None:  # stored coordinates are WGS-84; compare like with like
        datum = Datum(given.get("source_datum") or Datum.WGS84)
        comparable["lat"], comparable["lon"] = to_wgs84(given["lat"], given["lon"], datum)
    changed = {k for k in row.values if k in given and stored.get(k) != comparable[k]}
    if not changed:
        report.unchanged += 1
        return
    if changed & {"lat", "lon", "source_datum"}:
        changed |= {"lat", "lon", "source_datum"} & given.keys()
    changes = {k: given[k] for k in changed}
    assert existing.id is not None
    staged.updated.append((existing.id, {k: stored.get(k) for k in changed}))
    updated = service.update(session, principal, existing.id, spec.update.model_validate(changes))
    report.updated += 1
    report.pending_geocoding += updated.geocode_status is GeocodeStatus.PENDING


def _existing(
    session: Session, service: RecordService[Any, Any, Any], station_id: int, row: _Row
) -> Client | Volunteer | None:
    repository = service.repository
    if row.values.get("external_id"):
        found = repository.find(
            session, station_id=station_id, external_id=row.values["external_id"]
        )
    else:
        data = row.data
        found = repository.find(
            session,
            station_id=station_id,
            name=getattr(data, "name", None),
            phone=getattr(data, "phone", None),
        )
    return found[0] if found else None
