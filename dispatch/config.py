"""Settings from the environment (prefix CAREROUTE_) or a .env file."""

import os
import secrets
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def two_cores_at_most() -> int:
    """The planner's cores unless set: both of a two-core machine; more searches side by
    side gain less, and a machine's other cores serve its other stations' plans."""
    return min(2, os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREROUTE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite file under data_dir
    secret_key: str | None = None  # default: generated once and kept in data_dir
    # `/metrics` for monitoring, to whoever sends this as a bearer token; unset: no /metrics.
    metrics_token: str | None = Field(default=None, min_length=16)
    locale: Literal["zh-CN", "en"] = "zh-CN"
    timezone: str = "Asia/Shanghai"

    # Geocoding (geopy). "none" turns it off: addresses then need coordinates by hand.
    geocoder: Literal["nominatim", "baidu", "none"] = "nominatim"
    nominatim_domain: str = "nominatim.openstreetmap.org"
    nominatim_scheme: Literal["http", "https"] = "https"
    geocoder_user_agent: str = "careroute/0.1 (community meal delivery)"
    geocoder_api_key: str | None = None  # Baidu's ak
    geocoder_country: str = "cn"
    geocoder_min_delay_seconds: float = 1.0  # Nominatim's usage policy: at most 1 request/s
    geocoder_timeout_seconds: float = 10.0

    # An OpenStreetMap extract (.osm.pbf) of the station's area: travel times on its streets.
    # Without one, the planner uses straight lines with a detour factor per travel mode.
    map_extract: Path | None = None
    # A tile URL for the pages' maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png.
    # Without one the maps draw routes and stops on a plain background.
    map_tiles: str | None = None

    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    api_token_days: int = Field(default=90, ge=1, le=3650)
    login_attempts_per_minute: int = Field(default=5, ge=1)
    # Seconds a server process keeps who a token stands for (0: ask the database every time).
    # A logout or an account changed is seen at once by the process that made the change,
    # by the others within a second (dispatch.auth.cache). An hour: a volunteer's doors are
    # 10-15 minutes apart, so five minutes looked the token up again at nearly every door.
    auth_cache_seconds: float = Field(default=3600.0, ge=0, le=3600)
    secure_cookies: bool = False  # set true behind HTTPS
    # Limits on what one request may send: a body past the size is refused with 413 (an
    # import file included); an import past the rows with 422, nothing of it kept.
    max_request_megabytes: int = Field(default=10, ge=1, le=1000)
    import_max_rows: int = Field(default=10_000, ge=1, le=1_000_000)
    # Addresses of the reverse proxies whose X-Forwarded-For/-Proto are believed (comma
    # separated, as uvicorn takes them). Empty: none, the connection's address is the client's.
    forwarded_allow_ips: str = ""

    # The planning queue (Redis, e.g. redis://127.0.0.1:6379/0). With it, servers only enqueue
    # planning jobs and `careroute worker` processes plan them; login throttling is shared
    # through it too. Without it, each server plans its own jobs in processes it starts.
    broker_url: str | None = None
    # How long a job taken by a worker may stay unfinished before the broker hands it out
    # again (its worker is taken for dead): longer than the longest plan, time limit included.
    broker_visibility_seconds: int = Field(default=3600, ge=1)
    # Searches a plan runs side by side, one core each, the cheaper plan kept: 0.6 points of gap
    # on Solomon, under 1% less travel time on the demo station's days (docs/benchmarks,
    # thirtieth session). A worker's solvers times this should not pass the machine's cores.
    planner_cores: int = Field(default_factory=two_cores_at_most, ge=1)

    # Where people open the links in messages (route links, alerts, opt-out): the address
    # of this service as the world reaches it.
    public_url: str = "http://127.0.0.1:8000"
    # Notifications (README: "Telling people"). Without a broker, each server sends them from
    # a loop of its own; with one, `careroute worker --lanes notify` does.
    notify_in_server: bool = True
    notify_interval_seconds: float = Field(default=5.0, gt=0)
    notify_pause_seconds: float = Field(default=0.0, ge=0)  # between two messages (rate limits)
    reminder_at: time = time(18, 0)  # the evening-before reminder, station's local time
    # E-mail through SMTP.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "CareRoute <careroute@localhost>"
    # SMS through Tencent Cloud SMS: an app, a signature and one approved template per event
    # ({"route_published": "1234567", ...}); the endpoint only to reach a stand-in.
    sms_secret_id: str | None = None
    sms_secret_key: str | None = None
    sms_app_id: str | None = None
    sms_sign_name: str | None = None
    sms_region: str = "ap-guangzhou"
    sms_templates: dict[str, str] = Field(default_factory=dict)
    sms_endpoint: str | None = None
    sms_scheme: Literal["http", "https"] = "https"

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'careroute.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one made on first start and kept (sessions outlive restarts)."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def get_settings() -> Settings:
    return Settings()
