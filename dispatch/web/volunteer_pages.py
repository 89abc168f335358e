"""The volunteer's pages: their route of a day (signed in, or through a route link), and
releasing a day or answering an offer of someone else's route."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dispatch.access import Principal
from dispatch.deps import SessionDep, SettingsDep
from dispatch.errors import DispatchError, NotFound
from dispatch.myroute.links import principal_of_link
from dispatch.myroute.service import my_days, my_route
from dispatch.myroute.swaps import answer_offer, my_offers, my_release, release_day
from dispatch.web.kit import PageKit, valid
from models import ReleaseCreate


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/me/{day}", response_model=None)
    def my_route_page(day: date, request: Request, session: SessionDep) -> Response:
        """A volunteer's route of the day, for a phone."""
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        try:
            route = my_route(session, principal, day)
        except NotFound:
            route = None
        return kit.render(
            request,
            "myroute.html",
            kit.language(request),
            day=day,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            route=route,
            upcoming=my_days(session, principal, day + timedelta(days=1))[:7],
            api="/api/me",
            linked=False,
            release=my_release(session, principal, day),
            offers=my_offers(session, principal),
        )

    @router.post("/me/{day}/release", response_model=None)
    def release_page(
        day: date, request: Request, session: SessionDep, reason: Annotated[str, Form()] = ""
    ) -> Response:
        def do(who: Principal) -> None:
            release_day(session, who, day, valid(ReleaseCreate, reason=reason))

        return kit.action(request, session, f"/me/{day}", do)

    @router.post("/me/offers/{release_id}/{answer}", response_model=None)
    def answer_page(
        release_id: int,
        answer: str,
        request: Request,
        session: SessionDep,
        back: Annotated[str, Form()],
    ) -> Response:
        return kit.action(
            request,
            session,
            back,
            lambda who: answer_offer(session, who, release_id, accept=answer == "accept"),
        )

    @router.get("/r/{token}", response_model=None)
    def linked_route_page(
        token: str, request: Request, session: SessionDep, settings: SettingsDep
    ) -> Response:
        """A route opened from a link sent by message: no password, that day only."""
        try:
            who, link = principal_of_link(session, settings.resolved_secret_key, token)
        except DispatchError as error:
            html = kit.render(request, "linkgone.html", kit.language(request), reason=error.message)
            html.status_code = error.status_code
            return html
        try:
            route = my_route(session, who, link.service_date)
        except NotFound:
            route = None
        return kit.render(
            request,
            "myroute.html",
            kit.language(request),
            day=link.service_date,
            route=route,
            api=f"/r/{token}/api",
            linked=True,
        )

    return router
