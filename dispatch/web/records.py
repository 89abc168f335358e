"""Pages for the station's records: clients, volunteers and schedules, with their forms and
the spreadsheet import. They go through the same record services as the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.deps import SessionDep
from dispatch.errors import DispatchError, InvalidInput
from dispatch.imports.service import import_records
from dispatch.records.service import ListQuery, RecordService, invalid_input
from dispatch.services import Services
from dispatch.web.forms import fields, parse
from models import (
    AvailabilityCreate,
    AvailabilityUpdate,
    ClientCreate,
    ClientUpdate,
    ClosureCreate,
    ClosureUpdate,
    MenuCreate,
    MenuUpdate,
    ScheduleCreate,
    ScheduleUpdate,
    VolunteerCreate,
    VolunteerUpdate,
)


@dataclass(frozen=True)
class Kind:
    service: RecordService[Any, Any, Any]
    create: type[BaseModel]
    update: type[BaseModel]
    columns: tuple[str, ...]
    importable: bool


def build_router(
    services: Services,
    render: Callable[..., HTMLResponse],
    signed_in: Callable[[Request, Session], Principal | None],
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    kinds = {
        "clients": Kind(
            services.clients,
            ClientCreate,
            ClientUpdate,
            ("name", "phone", "address", "diet", "status"),
            True,
        ),
        "volunteers": Kind(
            services.volunteers,
            VolunteerCreate,
            VolunteerUpdate,
            ("name", "phone", "travel_mode", "skills", "active"),
            True,
        ),
        "schedules": Kind(
            services.schedules,
            ScheduleCreate,
            ScheduleUpdate,
            ("client_id", "kind", "recurrence", "weekdays", "start_date", "window_start"),
            False,
        ),
        "availability": Kind(
            services.availability,
            AvailabilityCreate,
            AvailabilityUpdate,
            ("volunteer_id", "kind", "weekday", "date_from", "date_to", "start_time", "end_time"),
            False,
        ),
        "closures": Kind(
            services.closures,
            ClosureCreate,
            ClosureUpdate,
            ("date_from", "date_to", "reason"),
            False,
        ),
        "menus": Kind(
            services.menus,
            MenuCreate,
            MenuUpdate,
            ("service_date", "site_id", "diet", "dish", "allergens"),
            False,
        ),
    }

    def station_of(session: Session, principal: Principal) -> int | None:
        stations = services.stations.list(session, principal, ListQuery(page_size=1))
        return stations.items[0].id if stations.items else None

    @router.get("/records/{kind}", response_model=None)
    def listing(kind: str, request: Request, session: SessionDep, q: str = "") -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        spec = kinds.get(kind)
        if spec is None:
            return HTMLResponse("not found", status_code=404)
        page = spec.service.list(session, principal, ListQuery(q=q or None, page_size=500))
        rows = [
            {"id": row.id, **{c: _cell(getattr(row, c)) for c in spec.columns}}
            for row in page.items
        ]
        return render(
            request,
            "records.html",
            kind=kind,
            columns=spec.columns,
            rows=rows,
            total=page.total,
            q=q,
            importable=spec.importable,
        )

    @router.get("/records/{kind}/{row_id}", response_model=None)
    def form(kind: str, row_id: str, request: Request, session: SessionDep) -> Response:
        principal = signed_in(request, session)
        spec = kinds.get(kind)
        if principal is None or spec is None:
            return RedirectResponse("/login", status_code=303)
        values: dict[str, Any] = {}
        if row_id != "new":
            values = spec.service.get(session, principal, int(row_id)).model_dump()
        return _form(render, request, kind, spec, row_id, values, [])

    @router.post("/records/{kind}/{row_id}", response_model=None)
    def save(
        kind: str,
        row_id: str,
        request: Request,
        session: SessionDep,
        posted: Annotated[dict[str, str], Depends(_posted)],
    ) -> Response:
        principal = signed_in(request, session)
        spec = kinds.get(kind)
        if principal is None or spec is None:
            return RedirectResponse("/login", status_code=303)
        data = parse(spec.create, posted)
        try:
            if row_id == "new":
                if "station_id" in spec.create.model_fields:
                    data["station_id"] = station_of(session, principal)
                spec.service.create(session, principal, _validated(spec.create, data))
            else:
                current = spec.service.get(session, principal, int(row_id)).model_dump()
                changed = {k: v for k, v in data.items() if _cell(current.get(k)) != _cell(v)}
                update = _validated(spec.update, changed)
                spec.service.update(session, principal, int(row_id), update)
        except DispatchError as error:
            session.rollback()
            errors = (
                error.errors
                if isinstance(error, InvalidInput)
                else [{"loc": [], "msg": error.message}]
            )
            return _form(render, request, kind, spec, row_id, data, errors)
        return RedirectResponse(f"/records/{kind}", status_code=303)

    @router.post("/records/{kind}/import/file", response_model=None)
    def import_file(
        kind: str,
        request: Request,
        session: SessionDep,
        file: Annotated[UploadFile, File()],
    ) -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station_id = station_of(session, principal)
        try:
            report = import_records(
                session,
                services,
                principal,
                kind,
                station_id or 0,
                file.filename or "",
                file.file.read(),
            )
        except DispatchError as error:
            session.rollback()
            return RedirectResponse(f"/records/{kind}?message={quote(error.message)}", 303)
        summary = f"+{report.created} / ~{report.updated} / ={report.unchanged}"
        return RedirectResponse(f"/records/{kind}?message={quote(summary)}", 303)

    return router


async def _posted(request: Request) -> dict[str, str]:
    """The posted form as text (an async dependency: the endpoint itself stays sync)."""
    return {key: str(value) for key, value in (await request.form()).items()}


def _validated(schema: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error) from error


def _form(
    render: Callable[..., HTMLResponse],
    request: Request,
    kind: str,
    spec: Kind,
    row_id: str,
    values: dict[str, Any],
    errors: list[dict[str, Any]],
) -> HTMLResponse:
    schema = spec.create if row_id == "new" else spec.update
    shown = fields(spec.create, values)
    editable = set(schema.model_fields)
    problems = {str(e["loc"][-1]) if e["loc"] else "": e["msg"] for e in errors}
    response = render(
        request,
        "record.html",
        kind=kind,
        row_id=row_id,
        fields=[f for f in shown if f.name in editable],
        problems=problems,
    )
    if errors:
        response.status_code = 422
    return response


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(getattr(value, "value", value))
