"""The HTTP face of a RecordService: list, get, create, update, archive, restore, delete.

Every station-scoped feature mounts one of these, so the seven endpoints behave alike
everywhere (same paging, same errors, same audit), and a feature adds only what is its own.
This is the one router of CareRoute whose handlers are generated: the same seven for every
kind of record.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from dispatch.crud.schemas import ListQuery, Page
from dispatch.crud.service import RecordService
from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Forbidden, HasHistory, InvalidInput, NotFound
from dispatch.http import error_responses


def record_router(
    service_of: Callable[..., Awaitable[RecordService[Any, Any, Any]]],
    *,
    prefix: str,
    label: str,
    public: type[Any],
    create: type[Any],
    update: type[Any],
    filters: type[ListQuery] = ListQuery,
) -> APIRouter:
    """The seven endpoints of a kind of record. `service_of`: the dependency that gives the
    kind's service."""
    router = APIRouter(prefix=prefix, tags=[label])
    service = Annotated[RecordService[Any, Any, Any], Depends(service_of)]
    _reading_routes(router, service, label, public, filters)
    _writing_routes(router, service, label, public, create, update)
    return router


def _reading_routes(
    router: APIRouter, Service: Any, label: str, public: type[Any], filters: type[ListQuery]
) -> None:
    def list_records(
        service: Service,
        session: SessionDep,
        principal: PrincipalDep,
        query: Annotated[filters, Query()],  # type: ignore[valid-type]
    ) -> Any:
        extra = query.model_dump(exclude=set(ListQuery.model_fields))  # type: ignore[attr-defined]
        page = service.list(session, principal, query, extra)
        page.items = [service.public(session, principal, row) for row in page.items]
        return page

    def get_record(
        record_id: int, service: Service, session: SessionDep, principal: PrincipalDep
    ) -> Any:
        return service.public(session, principal, service.get(session, principal, record_id))

    reading = error_responses(Forbidden, NotFound)
    router.add_api_route(
        "",
        list_records,
        methods=["GET"],
        response_model=Page[public],  # type: ignore[valid-type]
        summary=f"List {label}",
        responses=reading,
        description=f"Paginated {label}, searchable by name and phone (`q`).",
    )
    router.add_api_route(
        "/{record_id}",
        get_record,
        methods=["GET"],
        response_model=public,
        summary=f"Get one of the {label}",
        responses=reading,
    )


def _writing_routes(
    router: APIRouter,
    Service: Any,
    label: str,
    public: type[Any],
    create: type[Any],
    update: type[Any],
) -> None:
    def create_record(
        body: create,  # type: ignore[valid-type]
        service: Service,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> Any:
        return service.create(session, principal, body)

    def update_record(
        record_id: int,
        body: update,  # type: ignore[valid-type]
        service: Service,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> Any:
        return service.update(session, principal, record_id, body)

    writing = error_responses(Forbidden, NotFound, InvalidInput)
    router.add_api_route(
        "",
        create_record,
        methods=["POST"],
        response_model=public,
        status_code=status.HTTP_201_CREATED,
        summary=f"Create one of the {label}",
        responses=writing,
    )
    router.add_api_route(
        "/{record_id}",
        update_record,
        methods=["PATCH"],
        response_model=public,
        summary=f"Change one of the {label} (only the fields sent)",
        responses=writing,
    )
    _archiving_routes(router, Service, label, public)


def _archiving_routes(router: APIRouter, Service: Any, label: str, public: type[Any]) -> None:
    def archive_record(
        record_id: int, service: Service, session: SessionDep, principal: PrincipalDep
    ) -> Any:
        return service.archive(session, principal, record_id)

    def restore_record(
        record_id: int, service: Service, session: SessionDep, principal: PrincipalDep
    ) -> Any:
        return service.restore(session, principal, record_id)

    def delete_record(
        record_id: int, service: Service, session: SessionDep, principal: PrincipalDep
    ) -> None:
        service.delete(session, principal, record_id)

    reading = error_responses(Forbidden, NotFound)
    router.add_api_route(
        "/{record_id}/archive",
        archive_record,
        methods=["POST"],
        response_model=public,
        summary=f"Archive one of the {label} (kept for history, hidden from lists)",
        responses=reading,
    )
    router.add_api_route(
        "/{record_id}/restore",
        restore_record,
        methods=["POST"],
        response_model=public,
        summary=f"Bring one of the archived {label} back",
        responses=reading,
    )
    router.add_api_route(
        "/{record_id}",
        delete_record,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        summary=f"Delete one of the {label} entered by mistake",
        description="Refused with 409 when history refers to it: archive it instead.",
        responses=error_responses(Forbidden, NotFound, HasHistory),
    )
