"""Accounts, managed by admins."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from dispatch.crud.schemas import ListQuery, Page
from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.http import error_responses
from dispatch.users import service
from dispatch.users.schemas import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api/users", tags=["accounts"])
_reading = error_responses(Forbidden, NotFound)
_writing = error_responses(Forbidden, NotFound, InvalidInput, Conflict)


@router.get("", response_model=Page[UserPublic], responses=_reading)
def list_users(
    session: SessionDep, principal: PrincipalDep, query: Annotated[ListQuery, Query()]
) -> Page[UserPublic]:
    """List accounts (admins only)."""
    return service.list_users(session, principal, query)


@router.get("/{user_id}", response_model=UserPublic, responses=_reading)
def get_user(user_id: int, session: SessionDep, principal: PrincipalDep) -> UserPublic:
    """Get one account."""
    return service.user_public(session, service.get_user(session, principal, user_id))


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED, responses=_writing)
def create_user(body: UserCreate, session: SessionDep, principal: PrincipalDep) -> UserPublic:
    """Create an account for a coordinator, manager, volunteer or admin."""
    return service.user_public(session, service.create_user(session, principal, body))


@router.patch("/{user_id}", response_model=UserPublic, responses=_writing)
def update_user(
    user_id: int, body: UserUpdate, session: SessionDep, principal: PrincipalDep
) -> UserPublic:
    """Change an account's name, password, stations or active flag."""
    return service.user_public(session, service.update_user(session, principal, user_id, body))


@router.post("/{user_id}/archive", response_model=UserPublic, responses=_reading)
def archive_user(user_id: int, session: SessionDep, principal: PrincipalDep) -> UserPublic:
    """Close an account: it can no longer log in, and its sessions end."""
    return service.user_public(session, service.archive_user(session, principal, user_id))
