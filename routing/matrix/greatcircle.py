"""Straight-line travel: haversine distances stretched by a detour factor per mode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from routing.matrix.base import PROFILES, TravelMatrix, speed_of
from routing.problem import Location

EARTH_RADIUS_M = 6_371_008.8  # mean radius, as geopy's great_circle uses

# Streets are not straight lines. Typical road-to-crow-fly ratios for dense Chinese city
# centres are 1.3-1.4; walkers cut through lanes and compounds.
DETOURS: dict[str, float] = {"walk": 1.25, "bicycle": 1.3, "ebike": 1.3, "car": 1.4}


def haversine_metres(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres between every pair of points (an n x n array).

    Through unit vectors and one matrix product: the chord between two points gives the
    haversine's angle exactly (angle = 2 asin(chord / 2)), and BLAS makes it fast.
    """
    phi, lam = np.radians(lats), np.radians(lons)
    xyz = np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
    chord_sq = xyz @ xyz.T
    np.multiply(chord_sq, -2.0, out=chord_sq)
    np.add(chord_sq, 2.0, out=chord_sq)
    np.clip(chord_sq, 0.0, 4.0, out=chord_sq)
    np.sqrt(chord_sq, out=chord_sq)
    np.multiply(chord_sq, 0.5, out=chord_sq)
    np.arcsin(chord_sq, out=chord_sq)
    np.multiply(chord_sq, 2 * EARTH_RADIUS_M, out=chord_sq)
    np.fill_diagonal(chord_sq, 0.0)  # rounding leaves a few millimetres otherwise
    metres: np.ndarray = chord_sq
    return metres


class GreatCircle:
    """A matrix provider that needs no map: good enough to plan without one.

    Parameters
    ----------
    detours
        Road distance over straight-line distance, per travel mode.
    speeds
        Metres per second, per travel mode.
    """

    def __init__(
        self,
        detours: Mapping[str, float] | None = None,
        speeds: Mapping[str, float] | None = None,
    ) -> None:
        self.detours = dict(DETOURS if detours is None else detours)
        self.speeds = dict(PROFILES if speeds is None else speeds)
        if any(d < 1 for d in self.detours.values()):
            raise ValueError("A detour factor cannot be below 1.")
        if any(s <= 0 for s in self.speeds.values()):
            raise ValueError("Speeds must be positive.")

    def matrix(self, points: Sequence[Location], profile: str) -> TravelMatrix:
        if profile not in self.detours:
            raise ValueError(f"No detour factor for travel profile {profile!r}.")
        speed = self.speeds[profile] if profile in self.speeds else speed_of(profile)
        lats = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
        lons = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
        metres = haversine_metres(lats, lons) * self.detours[profile]
        return TravelMatrix.from_arrays(metres / speed, metres)
