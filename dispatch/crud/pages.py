"""The CRUD engine's pages: a list and a form for each kind of the station's records (clients,
volunteers, schedules, availability, closures, menus), and the spreadsheet import. They go
through the same record services as the API; the kinds are the table below."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, allowed, require
from dispatch.activities.schemas import (
    ActivityCreate,
    ActivityUpdate,
    InvitationCreate,
    InvitationUpdate,
)
from dispatch.clients.schemas import ClientCreate, ClientUpdate
from dispatch.config import Settings
from dispatch.container import Services
from dispatch.crud.schemas import ListQuery
from dispatch.crud.service import RecordService
from dispatch.days.schemas import ClosureCreate, ClosureUpdate, MenuCreate, MenuUpdate
from dispatch.deps import EngineDep, ServicesDep, SessionDep, SettingsDep
from dispatch.errors import DispatchError, ImportRejected, InvalidInput
from dispatch.i18n import translations
from dispatch.imports.service import stage_import
from dispatch.imports.writing import write_in_turns
from dispatch.notifications.schemas import PreferenceCreate, PreferenceUpdate
from dispatch.schedules.schemas import ScheduleCreate, ScheduleUpdate
from dispatch.teams.schemas import TeamCreate, TeamUpdate
from dispatch.teams.service import teams_of
from dispatch.volunteers.schemas import (
    AvailabilityCreate,
    AvailabilityUpdate,
    VolunteerCreate,
    VolunteerUpdate,
)
from dispatch.web.forms import KIND_LABELS, Field, fields, input_error, parse, sections
from dispatch.web.kit import PageUserDep, back_with, language, render, said
from models.enums import ClientStatus


@dataclass(frozen=True)
class Kind:
    service_of: Callable[[Services], RecordService[Any, Any, Any]]
    create: type[BaseModel]
    update: type[BaseModel]
    columns: tuple[str, ...]
    importable: bool


KINDS = {
    "clients": Kind(
        lambda services: services.clients,
        ClientCreate,
        ClientUpdate,
        ("name", "phone", "address", "diet", "status"),
        True,
    ),
    "volunteers": Kind(
        lambda services: services.volunteers,
        VolunteerCreate,
        VolunteerUpdate,
        ("name", "phone", "travel_mode", "skills", "active"),
        True,
    ),
    "teams": Kind(
        lambda services: services.teams,
        TeamCreate,
        TeamUpdate,
        ("name", "kind", "site_id"),
        False,
    ),
    "activities": Kind(
        lambda services: services.activities,
        ActivityCreate,
        ActivityUpdate,
        ("title", "kind", "service_date", "start_time", "site_id"),
        False,
    ),
    "invitations": Kind(
        lambda services: services.invitations,
        InvitationCreate,
        InvitationUpdate,
        ("activity_id", "client_id", "needs_escort", "attended"),
        False,
    ),
    "contacts": Kind(
        lambda services: services.preferences,
        PreferenceCreate,
        PreferenceUpdate,
        ("audience", "person_id", "channel", "address", "locale", "on_duty", "opted_out_at"),
        False,
    ),
    "schedules": Kind(
        lambda services: services.schedules,
        ScheduleCreate,
        ScheduleUpdate,
        ("client_id", "kind", "recurrence", "weekdays", "start_date", "window_start"),
        False,
    ),
    "availability": Kind(
        lambda services: services.availability,
        AvailabilityCreate,
        AvailabilityUpdate,
        ("volunteer_id", "kind", "weekday", "date_from", "date_to", "start_time", "end_time"),
        False,
    ),
    "closures": Kind(
        lambda services: services.closures,
        ClosureCreate,
        ClosureUpdate,
        ("date_from", "date_to", "reason"),
        False,
    ),
    "menus": Kind(
        lambda services: services.menus,
        MenuCreate,
        MenuUpdate,
        ("service_date", "site_id", "diet", "dish", "allergens"),
        False,
    ),
}

router = APIRouter(include_in_schema=False)


async def _posted(request: Request) -> dict[str, str]:
    """The posted form as text (an async dependency: the endpoint itself stays sync)."""
    posted: dict[str, str] = {}
    for key, value in (await request.form()).multi_items():
        # A list picked from a multiple choice arrives one value at a time: joined as typed.
        posted[key] = f"{posted[key]},{value}" if key in posted else str(value)
    return posted


def _station_of(session: Session, principal: Principal, services: Services) -> int | None:
    """The station a new record goes to: the first the user reaches."""
    stations = services.stations.list(session, principal, ListQuery(page_size=1))
    return stations.items[0].id if stations.items else None


@router.get("/records/{kind}", response_model=None)
def listing(
    kind: str,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    services: ServicesDep,
    settings: SettingsDep,
    q: str = "",
    team: int | None = None,
    station: int | None = None,
    unserved: bool = False,
) -> Response:
    spec = KINDS.get(kind)
    if spec is None:
        return HTMLResponse("not found", status_code=404)
    service = spec.service_of(services)
    # Clients and volunteers belong to teams: their lists may show one team's.
    by_team = "team_id" in spec.create.model_fields
    filters = {"team_id": team} if by_team and team is not None else None
    query = ListQuery(q=q or None, station_id=station, page_size=500)
    page = service.list(session, principal, query, filters)
    names = _names(session, principal, services, spec.columns)
    rows = [
        {"id": row.id, **{c: _named(names, c, getattr(row, c)) for c in spec.columns}}
        for row in page.items
    ]
    # A client's list says what each household receives, a volunteer's when they are free;
    # and who is in service with nothing: a client forgotten when a schedule ended or was
    # never entered, a volunteer the planner never uses.
    beside = _beside(session, principal, services, settings, kind, page.items)
    forgotten = (
        set()
        if beside is None
        else {
            row.id
            for row in page.items
            if _in_service(getattr(row, "status", None), getattr(row, "active", None))
            and row.id not in beside
        }
    )
    if unserved:
        rows = [row for row in rows if row["id"] in forgotten]
    return render(
        request,
        "records.html",
        language(request),
        kind=kind,
        columns=spec.columns,
        rows=rows,
        total=len(rows) if unserved else page.total,
        beside=beside,
        beside_kind=BESIDE[kind].kind if kind in BESIDE else None,
        forgotten=forgotten,
        unserved=unserved,
        q=q,
        importable=spec.importable,
        may_create=allowed(principal, service.resource, Action.CREATE),
        may_update=allowed(principal, service.resource, Action.UPDATE),
        teams=teams_of(session, principal) if by_team else [],
        team=team,
        station=station,
        today=_today(settings),
    )


@router.get("/records/{kind}/{row_id}", response_model=None)
def form(
    kind: str,
    row_id: str,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    services: ServicesDep,
    settings: SettingsDep,
) -> Response:
    spec = KINDS.get(kind)
    if spec is None:
        return RedirectResponse("/login", status_code=303)
    values: dict[str, Any] = {}
    service = spec.service_of(services)
    if row_id == "new":
        require(principal, service.resource, Action.CREATE)  # no empty form to whom may not
        # Added from its owner's file (a client's schedule, a volunteer's hours, an
        # activity's guest): the owner is chosen already.
        for owner, value in request.query_params.items():
            if owner in _REFERENCES and owner in spec.create.model_fields and value.isdigit():
                values[owner] = int(value)
    else:
        row = service.public(session, principal, service.get(session, principal, int(row_id)))
        values = row.model_dump()
    may_change = allowed(principal, service.resource, Action.UPDATE)
    same = None if row_id == "new" else _same_person(session, principal, services, kind, values)
    names = _names(session, principal, services, spec.create.model_fields)
    beside = None
    if row_id != "new":
        found = _beside(session, principal, services, settings, kind, [row])
        beside = None if found is None else found.get(int(row_id), [])
    return _form(
        request,
        kind,
        spec,
        row_id,
        values,
        [],
        names,
        may_change,
        same,
        beside=beside,
        may_add_beside=kind in BESIDE and allowed(principal, BESIDE[kind].resource, Action.CREATE),
        beside_names=_beside_names(session, principal, services, kind) if beside else {},
        today=_today(settings),
    )


def _same_person(
    session: Session, principal: Principal, services: Services, kind: str, values: dict[str, Any]
) -> dict[str, str] | None:
    """The other record of a client who volunteers: where it is and whose it is."""
    if kind == "clients":
        volunteer = services.volunteers.of_client(session, principal, values["id"])
        if volunteer is None:
            return None
        return {"href": f"/records/volunteers/{volunteer.id}", "name": volunteer.name, "is": "v"}
    if kind == "volunteers" and values.get("client_id"):
        client = services.clients.get(session, principal, values["client_id"])
        return {"href": f"/records/clients/{client.id}", "name": client.name, "is": "c"}
    return None


@router.post("/records/{kind}/{row_id}", response_model=None)
def save(
    kind: str,
    row_id: str,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    services: ServicesDep,
    posted: Annotated[dict[str, str], Depends(_posted)],
) -> Response:
    spec = KINDS.get(kind)
    if spec is None:
        return RedirectResponse("/login", status_code=303)
    service = spec.service_of(services)
    data = parse(spec.create, posted)
    current: dict[str, Any] = {}
    try:
        if row_id == "new":
            if "station_id" in spec.create.model_fields:
                data["station_id"] = _station_of(session, principal, services)
            saved = service.create(session, principal, _validated(spec.create, data))
        else:
            # The form shows only what may change (a schedule's client is in its heading):
            # what it does not post is not a change.
            data = {k: v for k, v in data.items() if k in spec.update.model_fields}
            current = service.get(session, principal, int(row_id)).model_dump()
            changed = {k: v for k, v in data.items() if _cell(current.get(k)) != _cell(v)}
            saved = service.update(
                session, principal, int(row_id), _validated(spec.update, changed)
            )
    except DispatchError as error:
        session.rollback()
        errors = (
            error.errors
            if isinstance(error, InvalidInput)
            else [{"loc": [], "msg": said(request, error)}]
        )
        names = _names(session, principal, services, spec.create.model_fields)
        return _form(request, kind, spec, row_id, current | data, errors, names)
    # A record shown beside its owner goes back to the owner's file, where it is listed.
    owner = next((k for k, b in BESIDE.items() if b.kind == kind), None)
    back = f"/records/{owner}/{getattr(saved, BESIDE[owner].owner)}" if owner else None
    return RedirectResponse(back or f"/records/{kind}", status_code=303)


@router.post("/records/{kind}/import/file", response_model=None)
def import_file(
    kind: str,
    principal: PageUserDep,
    session: SessionDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
    settings: SettingsDep,
    engine: EngineDep,
    request: Request,
) -> Response:
    """The same import as the API's: checked whole, written in parts (see write_in_turns)."""
    station_id = _station_of(session, principal, services)
    try:
        staged = stage_import(
            services,
            principal,
            kind,
            station_id or 0,
            file.filename or "",
            file.file.read(),
            settings.import_max_rows,
        )
        write_in_turns(engine, request.app.state.write_turns, staged)
    except ImportRejected as rejected:
        # Every row to mend, where and why: a count alone leaves the file a riddle.
        gettext = translations(language(request)).gettext
        problems = [
            {"row": p["row"], "column": p["column"], "said": input_error(p, gettext)}
            for p in sorted(rejected.problems, key=lambda p: int(p["row"]))  # as the file reads
        ]
        response = render(
            request,
            "import_rejected.html",
            language(request),
            kind=kind,
            filename=file.filename or "",
            summary=said(request, rejected),
            problems=problems,
            omitted=rejected.omitted,
        )
        response.status_code = 422
        return response
    except DispatchError as error:
        return back_with(f"/records/{kind}", said(request, error))
    report = staged.report
    gettext = translations(language(request)).gettext
    summary = gettext("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged") % {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if report.pending_geocoding:
        where = gettext("%(n)s addresses are still to be located on the map")
        summary += gettext("; ") + where % {"n": report.pending_geocoding}
    if report.ignored_columns:
        columns = gettext(", ").join(report.ignored_columns)
        summary += gettext("; ") + gettext("columns not read: %(columns)s") % {"columns": columns}
    return back_with(f"/records/{kind}", summary)


def _validated(schema: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise InvalidInput.of(error) from error


def _form(
    request: Request,
    kind: str,
    spec: Kind,
    row_id: str,
    values: dict[str, Any],
    errors: list[dict[str, Any]],
    names: dict[str, dict[str, str]],
    may_change: bool = True,
    same_person: dict[str, str] | None = None,
    beside: list[Any] | None = None,
    may_add_beside: bool = False,
    beside_names: dict[str, dict[str, str]] | None = None,
    today: date | None = None,
) -> HTMLResponse:
    schema = spec.create if row_id == "new" else spec.update
    own = KIND_LABELS.get(kind, {})
    shown = [
        _picked(replace(f, label=own.get(f.name, f.label)), names)
        for f in fields(spec.create, values)
    ]
    editable = set(schema.model_fields)
    gettext = translations(language(request)).gettext
    problems = {_field_of(e["loc"], schema): input_error(e, gettext) for e in errors}
    response = render(
        request,
        "record.html",
        language(request),
        kind=kind,
        row_id=row_id,
        heading=_heading(values),
        owners=_owners(kind, values, names, editable),
        sections=sections(kind, [f for f in shown if f.name in editable]),
        problems=problems,
        may_change=may_change,
        same_person=same_person,
        beside=beside,
        beside_kind=BESIDE[kind].kind if kind in BESIDE else None,
        in_service=_in_service(values.get("status"), values.get("active")),
        may_add_beside=may_add_beside,
        beside_names=beside_names or {},
        beside_owner=BESIDE[kind].owner if kind in BESIDE else None,
        today=today,
    )
    if errors:
        response.status_code = 422
    return response


@dataclass(frozen=True)
class Beside:
    """Records shown beside the one they belong to: a client's schedules, a volunteer's
    free hours and leave."""

    kind: str
    owner: str  # the column of `kind` that names the record they belong to
    resource: Resource
    named: tuple[str, ...] = ()  # the references the owner's file names them by


BESIDE = {
    "clients": Beside("schedules", "client_id", Resource.SCHEDULE),
    "volunteers": Beside("availability", "volunteer_id", Resource.AVAILABILITY),
    "activities": Beside("invitations", "activity_id", Resource.INVITATION, ("client_id",)),
}


def _beside(
    session: Session,
    principal: Principal,
    services: Services,
    settings: Settings,
    kind: str,
    rows: Iterable[Any],
) -> dict[int, list[Any]] | None:
    """What applies from today on to each of the rows (by id), or None where the kind has
    nothing beside it or the reader may not see it."""
    spec = BESIDE.get(kind)
    if spec is None or not allowed(principal, spec.resource, Action.READ):
        return None
    service = KINDS[spec.kind].service_of(services)
    ids = [row.id for row in rows]
    return service.current_of(session, principal, spec.owner, ids, _today(settings))


def _field_of(loc: Sequence[Any], schema: type[BaseModel]) -> str:
    """The form's field an error is about: a hold's bad date (holds, 0, start) is the
    holds field's; an error of the whole record, none ("")."""
    return next((str(part) for part in loc if part in schema.model_fields), "")


def _today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def _beside_names(
    session: Session, principal: Principal, services: Services, kind: str
) -> dict[str, dict[str, str]]:
    """The names the records beside are listed by in the owner's file (an activity's
    guests); none read where nothing is named."""
    spec = BESIDE.get(kind)
    return _names(session, principal, services, spec.named) if spec else {}


def _in_service(status: object, active: object) -> bool:
    """A client receiving services, a volunteer on the roster."""
    return status == ClientStatus.ACTIVE or active is True


def _heading(values: dict[str, Any]) -> str | None:
    """A record's page is headed by what people call it: a name, a title, a dish."""
    for field in ("name", "title", "dish"):
        if values.get(field):
            return str(values[field])
    return None


def _owners(
    kind: str, values: dict[str, Any], names: dict[str, dict[str, str]], editable: set[str]
) -> list[dict[str, str]]:
    """Whom or what a record belongs to when the form cannot change it (a schedule stays
    its client's, an invitation its activity's and its guest's): named and linked, not left
    out of the page; the record it is listed beside first."""
    owner = next((b.owner for b in BESIDE.values() if b.kind == kind), None)
    found = []
    for field in dict.fromkeys([owner, "client_id", "volunteer_id"]):
        value = values.get(field) if field else None
        if field and value is not None and field not in editable:
            found.append(
                {
                    "href": f"/records/{_REFERENCES[field]}/{value}",
                    "name": names.get(field, {}).get(str(value), str(value)),
                }
            )
    return found


# A reference to another record is picked, and listed, by that record's name.
_REFERENCES = {
    "site_id": "sites",
    "client_id": "clients",
    "team_id": "teams",
    "volunteer_id": "volunteers",
    "activity_id": "activities",
    "preferred_volunteer_ids": "volunteers",
    "excluded_volunteer_ids": "volunteers",
}
_PICKABLE = 500  # more than this, and the id is typed (a list that long helps nobody)


def _names(
    session: Session, principal: Principal, services: Services, columns: Iterable[str]
) -> dict[str, dict[str, str]]:
    """For each reference among `columns`, the records within reach it may name, by id."""
    found: dict[str, dict[str, str]] = {}
    for column in columns:
        service = getattr(services, _REFERENCES.get(column, ""), None)
        if not isinstance(service, RecordService):
            continue
        if not allowed(principal, service.resource, Action.READ):
            continue
        page = service.list(session, principal, ListQuery(page_size=_PICKABLE))
        if page.total <= _PICKABLE:
            found[column] = {str(row.id): _name_of(row) for row in page.items}
    return found


def _name_of(row: Any) -> str:
    """A record as people name it: its name, or an activity's title and day."""
    if getattr(row, "service_date", None) is not None:
        return f"{row.title} · {row.service_date}"
    return str(getattr(row, "name", row.id))


def _named(names: dict[str, dict[str, str]], column: str, value: Any) -> str:
    known = names.get(column, {})
    if isinstance(value, list):
        return ", ".join(known.get(str(v), str(v)) for v in value)
    text = _cell(value)
    return known.get(text, text)


def _picked(shown: Field, names: dict[str, dict[str, str]]) -> Field:
    """A reference field as a choice among the records it may name (the current one kept,
    even when out of reach, so that saving loses nothing)."""
    choices = names.get(shown.name)
    if choices is None:
        return shown
    current = shown.chosen()
    choices = {value: value for value in current if value not in choices} | choices
    return replace(shown, input="select", options=tuple(choices), names=choices)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")  # a time of day as people read it, not 11:30:00
    return str(getattr(value, "value", value))
