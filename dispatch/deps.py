"""Dependencies of the endpoints, each declared once as an Annotated alias."""

from collections.abc import AsyncIterator, Callable, Hashable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.activities.service import ActivityService, InvitationService
from dispatch.admission import OWN_WRITE_TURNS
from dispatch.auth import service as auth_service
from dispatch.auth.cache import AUTH_CHANGED, SignedIn, SignedInCache
from dispatch.auth.ratelimit import LoginLimiter
from dispatch.batches import WriteBatches
from dispatch.clients.service import ClientService
from dispatch.config import Settings
from dispatch.container import Services
from dispatch.days.closures import ClosureService
from dispatch.days.menus import MenuService
from dispatch.days.service import DayService
from dispatch.db import reading
from dispatch.errors import FormExpired, NotAuthenticated
from dispatch.i18n import N_
from dispatch.notifications.service import WROTE_MESSAGES, PreferenceService
from dispatch.planning.edits import PlanEdits
from dispatch.planning.service import PlanningService
from dispatch.schedules.service import ScheduleService
from dispatch.sites.service import SiteService
from dispatch.stations.service import StationService
from dispatch.teams.service import TeamService
from dispatch.volunteers.service import AvailabilityService, VolunteerService

SESSION_COOKIE = "careroute_session"

# Only for the "Authorize" button of /docs; the token itself is read below.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TOKEN_HEADER = "x-csrf-token"
FORM_TOKEN_FIELD = "csrf_token"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    The session connects at its first statement, in the endpoint's thread; only its end
    (commit or rollback, then close) waits on the database, so only the end goes to a
    thread: one hop fewer for every request than a generator run in threads at both ends.
    """
    session = _session_for(request)
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, commit=False)
        raise
    if session.in_transaction():
        await run_in_threadpool(_end, session, commit=True)
    else:  # never used: nothing waits on the database
        session.close()
    _after_commit(request, session.info)


def _session_for(request: Request) -> Session:
    own_turns = getattr(request.state, OWN_WRITE_TURNS, False)  # writes in sessions of its own
    writes = request.method not in SAFE_METHODS and not own_turns
    engine = request.app.state.writer if writes else request.app.state.engine
    return Session(engine, expire_on_commit=False)


def _after_commit(request: Request, info: dict[Any, Any]) -> None:
    """`info`: what the committed session noted."""
    if info.get(AUTH_CHANGED):
        request.app.state.signed_in.clear()  # a token now stands for something else, or nothing
    if info.get(WROTE_MESSAGES) and request.app.state.wake_sender is not None:
        request.app.state.wake_sender()  # the messages go now, not at the sender's next pass


def _end(session: Session, *, commit: bool) -> None:
    with session:  # closed whatever happens
        if commit:
            session.commit()
        else:
            session.rollback()


T = TypeVar("T")


async def committed(
    request: Request, work: Callable[[Session], T], together: Hashable | None = None
) -> T:
    """A request's work, committed, with the work of the same kind that arrived meanwhile
    (dispatch.batches): the work, its commit and the session's end in one trip to a worker
    thread, where a plain `def` endpoint with the session dependency makes three (its body,
    the check of its answer, the session's end). Worth it on the requests a day is made of,
    the phones' outcomes; their paths take their own write turns (`writes_in_batches`).
    `together`: what the writes that may share a transaction have in common (a station)."""
    batches: WriteBatches = request.app.state.write_batches
    result, info = await batches.write(work, together)
    _after_commit(request, info)
    return result


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]


async def request_token(
    request: Request, bearer: Annotated[str | None, Depends(_bearer)]
) -> str | None:
    """The bearer token of an API client, or the session cookie of a browser."""
    return token_of(request, bearer)


def token_of(request: Request, bearer: str | None) -> str | None:
    return bearer or request.cookies.get(SESSION_COOKIE)


TokenDep = Annotated[str | None, Depends(request_token)]


async def current_identity(request: Request, bearer: str | None) -> SignedIn:
    """Whom the request's token stands for: from this process's cache of who is signed in,
    else read in a transaction of its own (off the event loop) and kept. The token and the
    settings are read here, not as dependencies of their own: each dependency FastAPI
    solves costs every request that needs it."""
    token = token_of(request, bearer)
    settings: Settings = request.app.state.settings
    if not token:
        raise NotAuthenticated(N_("log in first: send a bearer token or the session cookie"))
    interface = "api" if request.headers.get("authorization") else "web"
    form_token_checked(request, token, settings)
    cache: SignedInCache = request.app.state.signed_in
    key = auth_service.token_key(token, interface)
    found = cache.get(key)
    if found is None:
        epoch = cache.epoch
        found = await run_in_threadpool(_look_up, request.app.state.engine, token, interface)
        cache.put(key, found, epoch)
    return found


def _look_up(engine: Engine, token: str, interface: str) -> SignedIn:
    with reading(engine) as session:
        return auth_service.signed_in(session, token, interface=interface)


class _SignedInScheme(OAuth2PasswordBearer):
    """The bearer scheme of /docs that also says who signed in: one dependency where the
    scheme and a dependency on it would be two for FastAPI to solve on every request (some
    75,000 instructions each), the same security in OpenAPI."""

    def __init__(self) -> None:
        super().__init__(
            tokenUrl="/api/auth/token", scheme_name="OAuth2PasswordBearer", auto_error=False
        )


class _IdentityScheme(_SignedInScheme):
    async def __call__(self, request: Request) -> SignedIn:  # type: ignore[override]
        return await current_identity(request, await super().__call__(request))


class _PrincipalScheme(_SignedInScheme):
    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        return (await current_identity(request, await super().__call__(request))).principal


async def check_form_token(request: Request, token: TokenDep, settings: SettingsDep) -> None:
    form_token_checked(request, token, settings)


def form_token_checked(request: Request, token: str | None, settings: Settings) -> None:
    """A change made with the session cookie (a page's script) sends the page's token in a
    header; bearer-token clients are not concerned (no browser sends their token by itself)."""
    if request.method in SAFE_METHODS or request.headers.get("authorization") or not token:
        return
    given = request.headers.get(FORM_TOKEN_HEADER)
    if not auth_service.form_token_matches(settings.resolved_secret_key, token, given):
        raise FormExpired


async def principal_of(request: Request) -> Principal:
    """Who sent the request, as `PrincipalDep` says, for the one endpoint that solves no
    dependencies (a phone's outcome, most of a day's requests): FastAPI's solving of the
    scheme and of a body costs it about 120,000 instructions. Its OpenAPI security is
    declared with `BEARER_SECURITY`."""
    return (await current_identity(request, bearer_token(request))).principal


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, as the bearer scheme reads it."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return token if scheme.lower() == "bearer" else None


# The security `PrincipalDep` gives an operation in OpenAPI, for `principal_of`'s.
BEARER_SECURITY: dict[str, Any] = {"security": [{"OAuth2PasswordBearer": []}]}

PrincipalDep = Annotated[Principal, Depends(_PrincipalScheme())]
IdentityDep = Annotated[SignedIn, Depends(_IdentityScheme())]


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


EngineDep = Annotated[Engine, Depends(get_engine)]
ServicesDep = Annotated[Services, Depends(get_services)]


# One accessor per service of the container, so that an endpoint names the one it needs.
async def station_service(services: ServicesDep) -> StationService:
    return services.stations


async def site_service(services: ServicesDep) -> SiteService:
    return services.sites


async def team_service(services: ServicesDep) -> TeamService:
    return services.teams


async def activity_service(services: ServicesDep) -> ActivityService:
    return services.activities


async def invitation_service(services: ServicesDep) -> InvitationService:
    return services.invitations


async def preference_service(services: ServicesDep) -> PreferenceService:
    return services.preferences


async def client_service(services: ServicesDep) -> ClientService:
    return services.clients


async def volunteer_service(services: ServicesDep) -> VolunteerService:
    return services.volunteers


async def availability_service(services: ServicesDep) -> AvailabilityService:
    return services.availability


async def schedule_service(services: ServicesDep) -> ScheduleService:
    return services.schedules


async def closure_service(services: ServicesDep) -> ClosureService:
    return services.closures


async def menu_service(services: ServicesDep) -> MenuService:
    return services.menus


async def day_service(services: ServicesDep) -> DayService:
    return services.days


async def planning_service(services: ServicesDep) -> PlanningService:
    return services.planning


async def plan_edits_service(services: ServicesDep) -> PlanEdits:
    return services.plan_edits


StationsDep = Annotated[StationService, Depends(station_service)]
SitesDep = Annotated[SiteService, Depends(site_service)]
ClientsDep = Annotated[ClientService, Depends(client_service)]
VolunteersDep = Annotated[VolunteerService, Depends(volunteer_service)]
DaysDep = Annotated[DayService, Depends(day_service)]
PlanningDep = Annotated[PlanningService, Depends(planning_service)]
PlanEditsDep = Annotated[PlanEdits, Depends(plan_edits_service)]
