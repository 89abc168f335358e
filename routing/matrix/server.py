"""Travel from a routing server's matrix API (OSRM or Valhalla), for large deployments.

routingpy speaks both APIs; this module only splits big requests into blocks the server
accepts and turns the answer into a `TravelMatrix`. The network is used only through the
client handed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import routingpy

from routing.matrix.base import TravelMatrix
from routing.problem import Location

OSRM_PROFILES = {"walk": "foot", "bicycle": "bike", "ebike": "bike", "car": "driving"}
VALHALLA_PROFILES = {
    "walk": "pedestrian",
    "bicycle": "bicycle",
    "ebike": "motor_scooter",
    "car": "auto",
}


class UnreachableError(ValueError):
    """The server found no way between some of the places."""


class MatrixClient(Protocol):
    """What routingpy's OSRM and Valhalla clients have in common."""

    def matrix(
        self,
        locations: list[list[float]],
        profile: str,
        sources: list[int] | None = ...,
        destinations: list[int] | None = ...,
        **kwargs: Any,
    ) -> Any: ...


class ServerMatrix:
    """A matrix provider backed by a routing server.

    Parameters
    ----------
    client
        A routingpy client (`routingpy.OSRM(base_url)` or `routingpy.Valhalla(base_url)`).
    profiles
        The server's profile name for each travel mode.
    max_locations
        The most places one request may hold (OSRM's ``--max-table-size``).
    metres_per_unit
        What one distance unit of the client's answer is in metres.
    """

    def __init__(
        self,
        client: MatrixClient,
        profiles: Mapping[str, str],
        max_locations: int = 100,
        metres_per_unit: float = 1.0,
        request_options: Mapping[str, Any] | None = None,
    ) -> None:
        if max_locations < 2:
            raise ValueError("A matrix request must hold at least two places.")
        self.client = client
        self.profiles = dict(profiles)
        self.block = max_locations // 2
        self.metres_per_unit = metres_per_unit
        self.request_options = dict(request_options or {})

    @classmethod
    def osrm(cls, base_url: str, max_locations: int = 100, timeout: int = 30) -> ServerMatrix:
        client = routingpy.OSRM(base_url=base_url, timeout=timeout)
        return cls(
            client,
            OSRM_PROFILES,
            max_locations,
            request_options={"annotations": ["duration", "distance"]},
        )

    @classmethod
    def valhalla(cls, base_url: str, max_locations: int = 100, timeout: int = 30) -> ServerMatrix:
        client = routingpy.Valhalla(base_url=base_url, timeout=timeout)
        return cls(client, VALHALLA_PROFILES, max_locations)  # routingpy turns km into metres

    def matrix(self, points: Sequence[Location], profile: str) -> TravelMatrix:
        if profile not in self.profiles:
            raise ValueError(f"No server profile for travel mode {profile!r}.")
        size = len(points)
        seconds = np.zeros((size, size))
        metres = np.zeros((size, size))
        for row in range(0, size, self.block):
            for column in range(0, size, self.block):
                rows = range(row, min(row + self.block, size))
                columns = range(column, min(column + self.block, size))
                durations, distances = self._request(points, rows, columns, profile)
                seconds[row : rows.stop, column : columns.stop] = durations
                metres[row : rows.stop, column : columns.stop] = distances
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return TravelMatrix.from_arrays(seconds, metres)

    def _request(
        self, points: Sequence[Location], rows: range, columns: range, profile: str
    ) -> tuple[np.ndarray, np.ndarray]:
        ids = list(rows) + [c for c in columns if c not in rows]
        where = {point: position for position, point in enumerate(ids)}
        answer = self.client.matrix(
            locations=[[points[i].lon, points[i].lat] for i in ids],
            profile=self.profiles[profile],
            sources=[where[r] for r in rows],
            destinations=[where[c] for c in columns],
            **self.request_options,
        )
        durations = _array(answer.durations, rows, columns, "time")
        distances = _array(answer.distances, rows, columns, "distance") * self.metres_per_unit
        return durations, distances


def _array(
    values: list[list[float | None]] | None, rows: range, columns: range, what: str
) -> np.ndarray:
    if values is None:
        raise ValueError(f"The routing server's answer has no {what} table.")
    array = np.array(values, dtype=np.float64)  # None -> nan
    if array.shape != (len(rows), len(columns)):
        raise ValueError(
            f"The routing server answered a {array.shape} {what} table for "
            f"{len(rows)} x {len(columns)} places."
        )
    if np.isnan(array).any():
        origin, destination = np.argwhere(np.isnan(array))[0]
        raise UnreachableError(
            f"The routing server found no way from place {rows[origin]} to place "
            f"{columns[destination]}."
        )
    return array
