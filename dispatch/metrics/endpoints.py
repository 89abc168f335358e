"""`/metrics` for a city's monitoring (Prometheus): served only when
`CAREROUTE_METRICS_TOKEN` is set, to whoever sends that token as a bearer token (Prometheus'
`authorization` setting). Left out of OpenAPI: it is for the machines that watch the
service, not for its users."""

import hmac
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from dispatch.deps import SessionDep, SettingsDep, bearer_token
from dispatch.errors import NotAuthenticated
from dispatch.i18n import N_
from dispatch.metrics.service import exposition
from models.common import utcnow

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    given, expected = bearer_token(request), settings.metrics_token or ""
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotAuthenticated(N_("send the metrics token as a bearer token"))
    now = utcnow()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    return Response(exposition(session, now, today), media_type=CONTENT_TYPE_LATEST)
