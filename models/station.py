"""Stations (a social-work station or programme) and their sites (kitchens, pharmacies, offices)."""

from typing import Annotated, Self
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, model_validator
from sqlmodel import Field, SQLModel

from models.alert import Rung, check_ladder, default_ladder
from models.common import EnumText, TableBase, TypedJSON
from models.enums import Datum, GeocodeStatus, SiteKind
from models.validation import Code, LocalTime, Name, Phone, Refusal, check_coordinates, check_window


def _known_timezone(value: str) -> str:
    if value not in available_timezones():
        raise Refusal("“%(value)s” is not an IANA time zone such as Asia/Shanghai", value=value)
    return value


def _known_locale(value: str) -> str:
    if value not in ("zh-CN", "en"):
        raise Refusal("locale “%(value)s” is not supported; use zh-CN or en", value=value)
    return value


TimeZone = Annotated[str, AfterValidator(_known_timezone)]
Locale = Annotated[str, AfterValidator(_known_locale)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class LocatedMixin(SQLModel):
    """A place on the map, always in WGS-84; validated as a pair, never (0, 0)."""

    lat: Latitude | None = None
    lon: Longitude | None = None

    @model_validator(mode="after")
    def _coordinates_pair(self) -> Self:
        check_coordinates(self.lat, self.lon)
        return self


class GeocodedMixin(LocatedMixin):
    """A place found from an address. Coordinates may be given in a Chinese datum
    (`source_datum`); they are stored converted to WGS-84 and the datum is recorded."""

    source_datum: Datum = Field(default=Datum.WGS84, sa_type=EnumText(Datum, 10))


class GeocodeState(SQLModel):
    geocode_status: GeocodeStatus = Field(
        default=GeocodeStatus.PENDING, sa_type=EnumText(GeocodeStatus, 20)
    )
    geocode_source: str = Field(default="", max_length=40)  # provider, "manual" or "import"


Ladder = Annotated[list[Rung], AfterValidator(check_ladder)]


# --- Station -------------------------------------------------------------------------------


class StationBase(LocatedMixin):
    name: Name = Field(max_length=120)
    code: Code = Field(min_length=2, max_length=40, unique=True, index=True)
    address: str = Field(default="", max_length=300)
    phone: Phone | None = Field(default=None, max_length=20)
    timezone: TimeZone = Field(default="Asia/Shanghai", max_length=64)
    locale: Locale = Field(default="zh-CN", max_length=10)
    # China's public holidays (and make-up workdays) close the station; its own closures
    # are in station_closure.
    observes_public_holidays: bool = True
    # The no-answer protocol: its steps and when each falls due after the alert.
    alert_ladder: Ladder = Field(default_factory=default_ladder, sa_type=TypedJSON(list[Rung]))
    # Volunteers ask for the client's card code at the door.
    proof_of_delivery: bool = False
    # A hot meal reaches the door at most this many minutes after it leaves the kitchen:
    # a rule of the planner, a warning on hand edits. Medicine is exempt.
    hot_meal_minutes: int = Field(default=45, ge=10, le=240)
    # Managers audit, and by default do not see clients' emergency contacts and health notes;
    # a station whose managers also act on them grants it here.
    managers_see_private_notes: bool = False


class Station(StationBase, TableBase, table=True):
    pass


# --- Site ----------------------------------------------------------------------------------


class OpeningHours(BaseModel):
    """One opening period on a weekday (0 = Monday)."""

    weekday: int = Field(ge=0, le=6)
    opens: LocalTime
    closes: LocalTime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        check_window(self.opens, self.closes, "opening period")
        return self


class SiteBase(LocatedMixin):
    name: Name = Field(max_length=120)
    kind: SiteKind = Field(sa_type=EnumText(SiteKind, 20))
    address: str = Field(default="", max_length=300)
    phone: Phone | None = Field(default=None, max_length=20)
    opening_hours: list[OpeningHours] = Field(
        default_factory=list, sa_type=TypedJSON(list[OpeningHours])
    )
    notes: str = Field(default="", max_length=1000)
    external_id: str | None = Field(default=None, max_length=64, index=True)


class Site(SiteBase, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)
