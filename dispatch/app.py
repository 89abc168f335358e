"""create_app(): the routers, the one error handler, and the app's shared state."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from dispatch.admission import Admission
from dispatch.alerts import endpoints as alert_endpoints
from dispatch.auth import endpoints as auth_endpoints
from dispatch.auth.ratelimit import LoginLimiter
from dispatch.clients import endpoints as client_endpoints
from dispatch.config import Settings
from dispatch.days import endpoints as day_endpoints
from dispatch.db import make_engine
from dispatch.errors import DispatchError
from dispatch.geocoding.service import build_geocoder
from dispatch.imports import endpoints as import_endpoints
from dispatch.myroute import endpoints as myroute_endpoints
from dispatch.planning import endpoints as planning_endpoints
from dispatch.reports import endpoints as report_endpoints
from dispatch.schedules import endpoints as schedule_endpoints
from dispatch.services import Services, build_services, travel_matrices
from dispatch.sites import endpoints as site_endpoints
from dispatch.stations import endpoints as station_endpoints
from dispatch.trail import endpoints as trail_endpoints
from dispatch.users import endpoints as user_endpoints
from dispatch.volunteers import endpoints as volunteer_endpoints
from dispatch.web import pages

ATTRIBUTION = "Map data © OpenStreetMap contributors, ODbL 1.0"


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    services = services or build_services(build_geocoder(settings), travel_matrices(settings))
    app = FastAPI(
        title="CareRoute",
        version="0.1.0",
        description=(
            "Dispatch for community social-work stations and Meals-on-Wheels programmes. "
            f"{ATTRIBUTION}."
        ),
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.services = services
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute)
    app.add_middleware(Admission, serial_writes=app.state.engine.dialect.name == "sqlite")

    @app.exception_handler(DispatchError)
    async def _dispatch_error(_request: Request, error: DispatchError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
        return JSONResponse(error.body(), status_code=error.status_code, headers=headers)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    app.include_router(auth_endpoints.router)
    app.include_router(user_endpoints.router)
    app.include_router(import_endpoints.router)
    for feature in (
        station_endpoints,
        site_endpoints,
        client_endpoints,
        volunteer_endpoints,
        schedule_endpoints,
        day_endpoints,
        planning_endpoints,
        myroute_endpoints,
        alert_endpoints,
        trail_endpoints,
        report_endpoints,
    ):
        app.include_router(feature.build_router(services))
    pages.mount(app, services)
    return app
