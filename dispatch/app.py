"""create_app(): the routers, the one error handler, and the app's shared state."""

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError

from dispatch.activities import endpoints as activity_endpoints
from dispatch.admission import Admission, WriteTurns
from dispatch.alerts import endpoints as alert_endpoints
from dispatch.alerts import pages as alert_pages
from dispatch.audit import endpoints as audit_endpoints
from dispatch.audit import pages as audit_pages
from dispatch.auth import endpoints as auth_endpoints
from dispatch.auth import pages as auth_pages
from dispatch.auth.cache import SignedInCache, watch_epoch
from dispatch.auth.ratelimit import LoginLimiter
from dispatch.batches import WriteBatches
from dispatch.board import pages as board_pages
from dispatch.clients import endpoints as client_endpoints
from dispatch.clients import pages as client_pages
from dispatch.config import Settings
from dispatch.container import (
    Services,
    build_services,
    planning_queue,
    sender_waker,
    travel_matrices,
)
from dispatch.crud import pages as record_pages
from dispatch.days import endpoints as day_endpoints
from dispatch.days import pages as day_pages
from dispatch.db import for_writing, make_engine, session_scope
from dispatch.deps import SESSION_COOKIE
from dispatch.errors import DispatchError, FormExpired
from dispatch.geocoding.service import build_geocoder
from dispatch.health import service_health
from dispatch.http import (
    INPUT_ERRORS,
    CrossSiteGuard,
    RequestGuard,
    SecurityHeaders,
    render_error,
    render_invalid_request,
    render_out_of_range,
)
from dispatch.imports import endpoints as import_endpoints
from dispatch.imports.endpoints import takes_its_own_turns
from dispatch.metrics import endpoints as metrics_endpoints
from dispatch.notifications import endpoints as notification_endpoints
from dispatch.notifications import pages as notification_pages
from dispatch.notifications.sender import sender as notification_sender
from dispatch.planning import endpoints as planning_endpoints
from dispatch.planning import pages as planning_pages
from dispatch.reports import endpoints as report_endpoints
from dispatch.reports import pages as report_pages
from dispatch.rounds import endpoints as round_endpoints
from dispatch.rounds import pages as round_pages
from dispatch.rounds.endpoints import writes_in_batches
from dispatch.schedules import endpoints as schedule_endpoints
from dispatch.sites import endpoints as site_endpoints
from dispatch.stations import endpoints as station_endpoints
from dispatch.stations import pages as station_pages
from dispatch.teams import endpoints as team_endpoints
from dispatch.users import endpoints as user_endpoints
from dispatch.volunteers import endpoints as volunteer_endpoints
from dispatch.web.kit import (
    LoginRequired,
    back_to_the_form,
    form_token_checked,
    mount_static,
    to_login,
)

ATTRIBUTION = "Map data © OpenStreetMap contributors, ODbL 1.0"
LIVENESS = "/livez"

# The API (JSON, in OpenAPI) and the pages (HTML, left out of OpenAPI), feature by feature.
# Matched in this order, and each route tried costs a request some 20,000 instructions: the
# phones' routes and outcomes (most of a day's requests) come first, even before logging in.
ENDPOINTS = (
    round_endpoints,
    auth_endpoints,
    user_endpoints,
    import_endpoints,
    station_endpoints,
    site_endpoints,
    team_endpoints,
    notification_endpoints,
    activity_endpoints,
    client_endpoints,
    volunteer_endpoints,
    schedule_endpoints,
    day_endpoints,
    planning_endpoints,
    alert_endpoints,
    audit_endpoints,
    report_endpoints,
)
PAGES = (
    auth_pages,
    board_pages,
    day_pages,
    planning_pages,
    round_pages,
    station_pages,
    client_pages,
    alert_pages,
    report_pages,
    audit_pages,
    record_pages,
    notification_pages,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, planning jobs a stopped server left running are failed (a new plan of their
    day can start at once), and the auth epoch is watched; at the end, this server's
    planning processes are stopped."""
    services: Services = app.state.services
    settings: Settings = app.state.settings
    with session_scope(app.state.engine) as session:
        services.planning.recover(session)
    watching = asyncio.create_task(watch_epoch(app.state.signed_in, app.state.engine))
    stop_sending = threading.Event()
    if settings.notify_in_server and not settings.broker_url:
        # No broker: this server sends the messages itself (several servers may: each
        # message is taken by one).
        sender = notification_sender(app.state.engine, settings)
        app.state.wake_sender = sender.wake
        threading.Thread(
            target=sender.run,
            args=(stop_sending, settings.notify_interval_seconds),
            name="notification-sender",
            daemon=True,
        ).start()
    yield
    watching.cancel()
    stop_sending.set()
    await asyncio.to_thread(app.state.write_batches.close)
    await asyncio.to_thread(services.planning.runner.stop_all, STOPPED, 5.0)


STOPPED = "the server stopped while planning; plan again"


def takes_own_write_turns(path: str) -> bool:
    """Requests that take their write turns themselves: imports, in parts; outcomes, in
    batches."""
    return takes_its_own_turns(path) or writes_in_batches(path)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    services = services or build_services(
        build_geocoder(settings),
        travel_matrices(settings),
        queue=planning_queue(settings),
        planner_cores=settings.planner_cores,
    )
    app = FastAPI(
        lifespan=lifespan,
        title="CareRoute",
        version="0.1.0",
        description=(
            "Dispatch for community social-work stations and Meals-on-Wheels programmes. "
            f"{ATTRIBUTION}."
        ),
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.writer = for_writing(app.state.engine)  # made once, not for every write
    app.state.services = services
    # Wakes a notification sender when a request wrote messages (set at start).
    app.state.wake_sender = sender_waker(settings)
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute, settings.broker_url)
    app.state.signed_in = SignedInCache(settings.auth_cache_seconds)
    app.state.write_turns = WriteTurns(serial_writes=app.state.engine.dialect.name == "sqlite")
    app.state.write_batches = WriteBatches(app.state.writer, app.state.write_turns)
    app.add_middleware(
        Admission,
        turns=app.state.write_turns,
        own_turns=takes_own_write_turns,
        ungated={LIVENESS},
    )
    # Before admission: a large or refused body is read without holding the write turn.
    app.add_middleware(RequestGuard, max_bytes=settings.max_request_megabytes * 1_000_000)
    # The last added runs first: every answer gets the headers, refusals included.
    app.add_middleware(CrossSiteGuard, cookie=SESSION_COOKIE)
    app.add_middleware(SecurityHeaders, tiles=settings.map_tiles, https=settings.secure_cookies)
    app.add_exception_handler(DispatchError, render_error)
    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(DataError, render_out_of_range)
    app.add_exception_handler(OverflowError, render_out_of_range)
    app.add_api_route(LIVENESS, livez, methods=["GET"], tags=["service"])
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["service"])
    app.add_exception_handler(RequestValidationError, render_invalid_request)
    for feature in ENDPOINTS:
        app.include_router(feature.router, responses=INPUT_ERRORS)
    if settings.metrics_token:  # otherwise there is no /metrics at all
        app.include_router(metrics_endpoints.router)
    app.add_exception_handler(FormExpired, back_to_the_form)
    for feature in PAGES:
        app.include_router(feature.router, dependencies=[Depends(form_token_checked)])
    mount_static(app)
    return app


async def livez() -> dict[str, str]:
    """The process answers: it checks nothing else (a supervisor's liveness probe). On the
    event loop, not in a worker thread, and past admission: it answers whenever the loop
    runs, however busy the threads and the database are."""
    return {"status": "ok"}


def healthz(request: Request, response: Response) -> dict[str, object]:
    """Readiness: the database answers and, with a planning queue, a worker serves each of
    its lanes (503 otherwise, saying what is missing)."""
    health = service_health(request.app.state.settings, request.app.state.engine)
    if health["status"] != "ok":
        response.status_code = 503
    return health
