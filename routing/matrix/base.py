"""The matrix type and the provider protocol shared by every source of travel times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from routing.problem import Location

IntMatrix = npt.NDArray[np.int64]

# Travel modes and a plain speed for each, metres per second, for providers that need one.
# Chinese cities: older volunteers walk slowly; e-bikes are capped at 25 km/h by GB 17761.
PROFILES: dict[str, float] = {
    "walk": 1.1,  # ~4 km/h
    "bicycle": 3.6,  # ~13 km/h
    "ebike": 5.0,  # ~18 km/h
    "car": 6.9,  # ~25 km/h in central traffic
}


def speed_of(profile: str) -> float:
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"Unknown travel profile {profile!r}; use one of {', '.join(PROFILES)}."
        ) from None


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Whole seconds and whole metres from row place to column place."""

    durations: IntMatrix
    distances: IntMatrix

    def __post_init__(self) -> None:
        for name in ("durations", "distances"):
            values = getattr(self, name)
            if values.ndim != 2 or values.shape[0] != values.shape[1]:
                raise ValueError(f"The {name} matrix must be square.")
            if values.dtype.kind not in "iu":
                raise ValueError(f"The {name} matrix must hold integers.")
            if values.size and values.min() < 0:
                raise ValueError(f"The {name} matrix cannot hold negative values.")
        if self.durations.shape != self.distances.shape:
            raise ValueError("The durations and distances matrices must have the same shape.")

    @property
    def size(self) -> int:
        return int(self.durations.shape[0])

    @classmethod
    def from_arrays(
        cls, durations: npt.ArrayLike, distances: npt.ArrayLike | None = None
    ) -> TravelMatrix:
        """Build from any arrays, rounding to whole units (durations up, to stay feasible)."""
        seconds = np.ceil(np.asarray(durations, dtype=np.float64) - 1e-9).astype(np.int64)
        metres = (
            seconds.copy()
            if distances is None
            else np.rint(np.asarray(distances, dtype=np.float64)).astype(np.int64)
        )
        return cls(seconds, metres)


class MatrixProvider(Protocol):
    """Anything that can tell the travel times and distances between places."""

    def matrix(self, points: Sequence[Location], profile: str) -> TravelMatrix:
        """Return the matrix for these points, in this order, for this travel mode."""
        ...
