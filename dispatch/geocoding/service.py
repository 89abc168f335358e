"""Addresses to WGS-84 coordinates with geopy: pluggable, rate-limited, cached in the database.

Chinese providers answer in BD-09 (Baidu) or GCJ-02 (most others); everything stored is
WGS-84, as in OpenStreetMap, and the datum the coordinates came in is recorded.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import prcoords
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BaiduV3, Nominatim
from sqlmodel import Session

from dispatch.config import Settings
from dispatch.geocoding import repository
from models import GeocodeCacheEntry
from models.enums import Datum, GeocodeStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    lat: float  # WGS-84
    lon: float
    provider_datum: Datum
    display_name: str


class Geocoder(Protocol):
    name: str

    def locate(self, address: str) -> Place | None:
        """The place of an address, None if the provider knows none; raises GeopyError
        when the provider cannot be asked (network, quota, time-out)."""
        ...


def to_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """Coordinates in WGS-84, from any datum met in China."""
    if datum is Datum.GCJ02:
        converted = prcoords.gcj_wgs_bored((lat, lon))
    elif datum is Datum.BD09:
        converted = prcoords.bd_wgs_bored((lat, lon))
    else:
        return lat, lon
    return round(converted.lat, 7), round(converted.lon, 7)


class GeopyGeocoder:
    """Any geopy geocoder, called at most once per `min_delay` seconds."""

    def __init__(
        self, name: str, geocoder: Any, datum: Datum, min_delay: float, **query: Any
    ) -> None:
        self.name = name
        self._datum = datum
        self._query = query
        self._geocode: Callable[..., Any] = RateLimiter(
            geocoder.geocode, min_delay_seconds=min_delay, max_retries=1, swallow_exceptions=False
        )

    def locate(self, address: str) -> Place | None:
        location = self._geocode(address, **self._query)
        if location is None:
            return None
        lat, lon = to_wgs84(location.latitude, location.longitude, self._datum)
        return Place(lat, lon, self._datum, str(location.address or ""))


def build_geocoder(settings: Settings) -> Geocoder | None:
    """The geocoder named in the settings, or None when geocoding is off."""
    if settings.geocoder == "none":
        return None
    if settings.geocoder == "baidu":
        if not settings.geocoder_api_key:
            raise ValueError("the Baidu geocoder needs CAREROUTE_GEOCODER_API_KEY")
        baidu = BaiduV3(
            api_key=settings.geocoder_api_key,
            timeout=settings.geocoder_timeout_seconds,
            user_agent=settings.geocoder_user_agent,
        )
        return GeopyGeocoder("baidu", baidu, Datum.BD09, settings.geocoder_min_delay_seconds)
    nominatim = Nominatim(
        domain=settings.nominatim_domain,
        scheme=settings.nominatim_scheme,
        user_agent=settings.geocoder_user_agent,
        timeout=settings.geocoder_timeout_seconds,
    )
    return GeopyGeocoder(
        "nominatim",
        nominatim,
        Datum.WGS84,
        settings.geocoder_min_delay_seconds,
        country_codes=settings.geocoder_country,
    )


def locate(session: Session, geocoder: Geocoder, address: str) -> Place | None:
    """An address's place, from the cache or (once) from the provider.

    Answers, "not found" included, are cached; a provider that cannot be reached is not,
    so the address is tried again next time.
    """
    query = " ".join(address.split())
    entry = repository.cached(session, geocoder.name, query)
    if entry is not None:
        if not entry.found or entry.lat is None or entry.lon is None:
            return None
        return Place(entry.lat, entry.lon, entry.provider_datum, entry.display_name)
    try:
        place = geocoder.locate(query)
    except GeopyError as error:
        log.warning("geocoder %s failed for %r: %s", geocoder.name, query, error)
        return None
    repository.store(
        session,
        GeocodeCacheEntry(
            provider=geocoder.name,
            query=query,
            found=place is not None,
            lat=place.lat if place else None,
            lon=place.lon if place else None,
            provider_datum=place.provider_datum if place else Datum.WGS84,
            display_name=place.display_name[:500] if place else "",
        ),
    )
    return place


def apply_location(
    session: Session,
    geocoder: Geocoder | None,
    values: dict[str, Any],
    changed: set[str],
    *,
    address_field: str,
    manual_source: str,
    defer: bool = False,
) -> None:
    """Set the coordinates and geocode status of a record being written.

    Coordinates given by hand win (converted to WGS-84 from the datum they were given in);
    otherwise a new or changed address is geocoded now, or marked pending when `defer`
    (imports geocode in the background). A failure keeps the record, marked needs_location.
    """
    if changed & {"lat", "lon"} and values.get("lat") is not None:
        datum = Datum(values.get("source_datum") or Datum.WGS84)
        values["lat"], values["lon"] = to_wgs84(values["lat"], values["lon"], datum)
        values.update(
            source_datum=datum, geocode_status=GeocodeStatus.MANUAL, geocode_source=manual_source
        )
        return
    values.pop("source_datum", None)
    if address_field not in changed:
        if "lat" in changed:  # coordinates removed by hand
            values.update(geocode_status=GeocodeStatus.NEEDS_LOCATION, geocode_source="")
        return
    values.update(lat=None, lon=None, source_datum=Datum.WGS84, geocode_source="")
    if not values.get(address_field) or geocoder is None:
        values["geocode_status"] = GeocodeStatus.NEEDS_LOCATION
        return
    if defer:
        values["geocode_status"] = GeocodeStatus.PENDING
        return
    place = locate(session, geocoder, values[address_field])
    values["geocode_source"] = geocoder.name
    if place is None:
        values["geocode_status"] = GeocodeStatus.NEEDS_LOCATION
        return
    values.update(
        lat=place.lat,
        lon=place.lon,
        source_datum=place.provider_datum,
        geocode_status=GeocodeStatus.OK,
    )
