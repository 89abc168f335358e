"""Route links: a volunteer's route of one day, opened from a message without a password.

A link dies when it expires, when the coordinator withdraws it, when its volunteer is archived,
and when the day's published plan no longer gives its volunteer a route (taken off the day,
or the route passed to someone else).

The link carries a signed token (itsdangerous) naming a stored row; the row says whose route,
which day, until when, and whether the coordinator revoked it. Whoever holds the link sees
that route and records its outcomes, nothing else: the link acts as that volunteer, for that
day only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.audit import chain
from dispatch.errors import Gone, NotFound
from dispatch.i18n import N_
from dispatch.rounds import repository
from dispatch.rounds.schemas import RouteLinkCreate, RouteLinkPublic
from models import RouteLink, Station, Volunteer
from models.common import utcnow
from models.enums import Role

_SALT = "careroute-route-link"


def issue_link(
    session: Session, principal: Principal, secret: str, data: RouteLinkCreate
) -> RouteLinkPublic:
    require(principal, Resource.PLAN, Action.UPDATE)
    volunteer = reachable(session, principal, Volunteer, data.volunteer_id, "volunteer")
    link = new_link(
        session, principal, volunteer, data.service_date, utcnow() + timedelta(hours=data.hours)
    )
    assert link.id is not None
    return _public(link, volunteer).model_copy(update={"url": link_path(secret, link.id)})


def new_link(
    session: Session,
    principal: Principal,
    volunteer: Volunteer,
    service_date: date,
    expires_at: datetime,
) -> RouteLink:
    """A stored link to the volunteer's route of the day (the messages' links too)."""
    assert volunteer.id is not None
    link = RouteLink(
        station_id=volunteer.station_id,
        volunteer_id=volunteer.id,
        service_date=service_date,
        created_by_user_id=principal.user_id,
        expires_at=expires_at,
    )
    session.add(link)
    session.flush()
    _audit(session, principal, link, "issue_route_link")
    return link


def link_path(secret: str, link_id: int) -> str:
    """The link's path, with its signed token: whoever holds it opens that route."""
    return f"/r/{URLSafeSerializer(secret, salt=_SALT).dumps({'link': link_id})}"


def revoke_link(session: Session, principal: Principal, link_id: int) -> RouteLinkPublic:
    require(principal, Resource.PLAN, Action.UPDATE)
    link = reachable(session, principal, RouteLink, link_id, "route link")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        session.flush()
        _audit(session, principal, link, "revoke_route_link")
    volunteer = session.get(Volunteer, link.volunteer_id)
    assert volunteer is not None
    return _public(link, volunteer)


def links_of(
    session: Session, principal: Principal, station_id: int, day: date
) -> list[RouteLinkPublic]:
    require(principal, Resource.PLAN, Action.READ)
    reachable(session, principal, Station, station_id, "station")
    rows = repository.links_of_day(session, station_id, day)
    return [_public(link, volunteer) for link, volunteer in rows]


def principal_of_link(session: Session, secret: str, token: str) -> tuple[Principal, RouteLink]:
    """Who the link acts as, if it is genuine, not expired and not revoked."""
    try:
        payload = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        raise NotFound("route link", "") from None
    link = session.get(RouteLink, payload.get("link"))
    if link is None:
        raise NotFound("route link", "")
    if link.revoked_at is not None:
        raise Gone(
            N_("this route link was withdrawn by the station: ask the coordinator for a new one")
        )
    if link.expires_at <= utcnow():
        raise Gone(N_("this route link has expired: ask the coordinator for a new one"))
    volunteer = session.get(Volunteer, link.volunteer_id)
    if volunteer is None or volunteer.archived_at is not None:
        raise Gone(N_("this route link's volunteer no longer serves this station"))
    if repository.day_is_published(
        session, link.station_id, link.service_date
    ) and not repository.published_route(session, link.volunteer_id, link.service_date):
        # Taken off the day, or the route passed to someone else: the link shows nothing more.
        raise Gone(N_("this route is no longer yours: the coordinator changed the day's plan"))
    principal = Principal(
        user_id=None,
        role=Role.VOLUNTEER,
        station_ids=frozenset({link.station_id}),
        volunteer_id=link.volunteer_id,
        interface=f"route link {link.id}",
    )
    return principal, link


def _public(link: RouteLink, volunteer: Volunteer) -> RouteLinkPublic:
    assert link.id is not None
    return RouteLinkPublic(
        id=link.id,
        volunteer_id=link.volunteer_id,
        volunteer_name=volunteer.name,
        service_date=link.service_date,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
    )


def _audit(session: Session, principal: Principal, link: RouteLink, action: str) -> None:
    chain.record(
        session,
        principal,
        action=action,
        entity="route_link",
        entity_id=link.id,
        station_id=link.station_id,
        changes={
            "volunteer_id": [None, link.volunteer_id],
            "service_date": [None, str(link.service_date)],
            "revoked_at": [None, link.revoked_at.isoformat() if link.revoked_at else None],
        },
    )
