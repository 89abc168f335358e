"""Importing clients and volunteers from CSV or XLSX files."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Query, Request, UploadFile
from sqlalchemy import Engine

from dispatch.access import Principal
from dispatch.db import session_scope
from dispatch.deps import EngineDep, PrincipalDep, ServicesDep, SettingsDep
from dispatch.errors import Forbidden, ImportRejected, NotFound
from dispatch.geocoding.pending import geocode_pending
from dispatch.geocoding.service import Geocoder
from dispatch.http import error_responses
from dispatch.imports.schemas import ImportReport
from dispatch.imports.service import ImportKind, stage_import
from dispatch.imports.writing import write_in_turns

router = APIRouter(prefix="/api/import", tags=["import"])


def _geocode_in_background(
    engine: Engine, geocoder: Geocoder, principal: Principal, station_id: int
) -> None:
    with session_scope(engine) as session:
        geocode_pending(session, geocoder, principal, station_id=station_id)


def takes_its_own_turns(path: str) -> bool:
    """Imports write in parts, each taking its own write turn (see import_file)."""
    return path.startswith("/api/import/") or path.endswith("/import/file")


@router.post(
    "/{kind}",
    response_model=ImportReport,
    responses=error_responses(Forbidden, NotFound, ImportRejected),
)
def import_file(
    kind: ImportKind,
    station_id: Annotated[int, Query()],
    file: Annotated[UploadFile, File(description="A .csv or .xlsx file, headers in row 1")],
    background: BackgroundTasks,
    services: ServicesDep,
    engine: EngineDep,
    principal: PrincipalDep,  # read with a session that does not write (takes_its_own_turns)
    settings: SettingsDep,
    request: Request,
) -> ImportReport:
    """Import every row of a file, or none: a file with problems is rejected, all of them listed."""
    content = file.file.read()
    filename = file.filename or ""
    staged = stage_import(
        services, principal, kind, station_id, filename, content, settings.import_max_rows
    )
    write_in_turns(engine, request.app.state.write_turns, staged)
    report = staged.report
    if report.pending_geocoding and services.geocoder is not None:
        background.add_task(
            _geocode_in_background,
            engine,
            services.geocoder,
            principal,
            station_id,
        )
    return report
