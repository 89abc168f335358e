"""Accounts: created and managed by admins; passwords never leave this module unhashed."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require
from dispatch.audit import chain
from dispatch.auth import repository as auth_repository
from dispatch.auth import service as auth_service
from dispatch.crud.repository import RecordRepository
from dispatch.crud.schemas import ListQuery, Page
from dispatch.crud.service import snapshot
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.i18n import N_
from dispatch.users.schemas import UserCreate, UserPublic, UserUpdate
from models import Station, User, Volunteer
from models.common import utcnow

repository = RecordRepository(
    User, search_columns=("username", "display_name"), order_by=("username",)
)


def user_public(session: Session, user: User) -> UserPublic:
    return auth_service.user_public(session, user)


def list_users(session: Session, principal: Principal, query: ListQuery) -> Page[UserPublic]:
    require(principal, Resource.USER, Action.READ)
    rows, total = repository.page(
        session,
        station_ids=None,
        equals={},
        search=query.q,
        include_archived=query.include_archived,
        offset=(query.page - 1) * query.page_size,
        limit=query.page_size,
    )
    items = [user_public(session, row) for row in rows]
    return Page(items=items, total=total, page=query.page, page_size=query.page_size)


def get_user(session: Session, principal: Principal, user_id: int) -> User:
    require(principal, Resource.USER, Action.READ)
    user = repository.get(session, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def create_user(session: Session, principal: Principal, data: UserCreate) -> User:
    require(principal, Resource.USER, Action.CREATE)
    if auth_repository.user_by_username(session, data.username) is not None:
        raise Conflict(N_("the username “%(name)s” is taken"), name=data.username)
    _check_stations(session, data.station_ids)
    if data.volunteer_id is not None:
        if session.get(Volunteer, data.volunteer_id) is None:
            raise InvalidInput.field(
                "volunteer_id",
                N_("volunteer %(volunteer)s does not exist"),
                volunteer=data.volunteer_id,
            )
        if repository.find(session, volunteer_id=data.volunteer_id):
            raise Conflict(N_("volunteer %(id)s already has an account"), id=data.volunteer_id)
    user = User.model_validate(
        data.model_dump(exclude={"password", "station_ids"})
        | {"password_hash": auth_service.hash_password(data.password)}
    )
    repository.add(session, user)
    auth_repository.set_station_ids(session, _id(user), data.station_ids)
    _audit(session, principal, "create", user, {}, data.station_ids)
    return user


def update_user(session: Session, principal: Principal, user_id: int, data: UserUpdate) -> User:
    require(principal, Resource.USER, Action.UPDATE)
    user = get_user(session, principal, user_id)
    before = _public_snapshot(session, user)
    changes = data.model_dump(exclude_unset=True)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "active" in changes:
        user.active = changes["active"]
    if changes.get("password"):
        user.password_hash = auth_service.hash_password(changes["password"])
    if changes.get("password") or changes.get("active") is False:
        auth_service.revoke_all(session, _id(user))  # a new password ends every session
    if changes.get("station_ids") is not None:
        _check_stations(session, changes["station_ids"])
        auth_repository.set_station_ids(session, _id(user), changes["station_ids"])
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    after = _public_snapshot(session, user)
    if changes.get("password"):
        after["password"] = "changed"  # the fact, never the value
    _record(session, principal, "update", user, chain.diff(before, after))
    return user


def archive_user(session: Session, principal: Principal, user_id: int) -> User:
    require(principal, Resource.USER, Action.ARCHIVE)
    user = get_user(session, principal, user_id)
    if user.archived_at is None:
        before = _public_snapshot(session, user)
        user.archived_at = utcnow()
        user.active = False
        session.add(user)
        auth_service.revoke_all(session, _id(user))
        session.flush()
        _record(
            session, principal, "archive", user, chain.diff(before, _public_snapshot(session, user))
        )
    return user


def _check_stations(session: Session, station_ids: list[int]) -> None:
    for station_id in station_ids:
        if session.get(Station, station_id) is None:
            raise InvalidInput.field(
                "station_ids", N_("station %(station)s does not exist"), station=station_id
            )


def _public_snapshot(session: Session, user: User) -> dict[str, Any]:
    values = snapshot(user)
    values.pop("password_hash", None)
    values["station_ids"] = auth_repository.station_ids(session, _id(user))
    return values


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    user: User,
    before: dict[str, Any],
    station_ids: list[int],
) -> None:
    after = _public_snapshot(session, user) | {"station_ids": sorted(station_ids)}
    _record(session, principal, action, user, chain.diff(before, after))


def _record(
    session: Session, principal: Principal, action: str, user: User, changes: dict[str, Any]
) -> None:
    chain.record(
        session,
        principal,
        action=action,
        entity="user",
        entity_id=user.id,
        station_id=None,
        changes=changes,
    )


def _id(user: User) -> int:
    if user.id is None:
        raise ValueError("the user has not been saved yet")
    return user.id
