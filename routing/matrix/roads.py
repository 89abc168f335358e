"""Travel over the real street network of an OpenStreetMap extract, computed offline.

The extract is read once per travel mode with pyosmium into a directed graph (one-way streets
bind cars, e-bikes and bicycles; footways and steps are for walkers), kept to its largest
strongly connected component, and cached on disk. A matrix is one multi-source Dijkstra
(`scipy.sparse.csgraph`) from the snapped places.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import osmium
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from routing.matrix.base import TravelMatrix, speed_of
from routing.problem import Location

GRAPH_VERSION = 1  # bump when the way the graph is built changes: invalidates caches

# Metres per second by OSM highway type; a mode absent from a row may not use that road.
_SPEEDS: dict[str, dict[str, float]] = {
    "motorway": {"car": 22.0},
    "motorway_link": {"car": 12.0},
    "trunk": {"car": 16.0, "ebike": 5.0, "bicycle": 3.6},
    "trunk_link": {"car": 10.0, "ebike": 5.0, "bicycle": 3.6},
    "primary": {"car": 11.0, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "primary_link": {"car": 9.0, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "secondary": {"car": 9.5, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "secondary_link": {"car": 8.0, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "tertiary": {"car": 8.0, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "tertiary_link": {"car": 7.0, "ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "unclassified": {"car": 6.5, "ebike": 4.5, "bicycle": 3.6, "walk": 1.1},
    "residential": {"car": 5.5, "ebike": 4.5, "bicycle": 3.6, "walk": 1.1},
    "living_street": {"car": 3.0, "ebike": 3.5, "bicycle": 3.0, "walk": 1.1},
    "service": {"car": 4.0, "ebike": 4.0, "bicycle": 3.0, "walk": 1.1},
    "road": {"car": 5.0, "ebike": 4.0, "bicycle": 3.0, "walk": 1.1},
    "cycleway": {"ebike": 5.0, "bicycle": 3.6, "walk": 1.1},
    "path": {"bicycle": 2.5, "walk": 1.0},
    "track": {"bicycle": 2.5, "walk": 1.0},
    "pedestrian": {"walk": 1.1},
    "footway": {"walk": 1.1},
    "corridor": {"walk": 1.0},
    "steps": {"walk": 0.4},
}
_ONE_WAY_MODES = frozenset({"car", "ebike", "bicycle"})
_ACCESS_KEYS = {"walk": "foot", "bicycle": "bicycle", "ebike": "bicycle", "car": "motor_vehicle"}
_NO = frozenset({"no", "private"})
_PATHS_AT_ONCE = 64  # sources whose shortest-path trees are held at once when drawing ways
_BIG = 1e8  # decimetres below this; deciseconds times it stay exact in float64


def _allowed(tags: osmium.osm.TagList, profile: str) -> float | None:
    """Speed of this profile on this way, or None if it may not use it."""
    speed = _SPEEDS.get(tags.get("highway") or "", {}).get(profile)
    mode_access = tags.get(_ACCESS_KEYS[profile])
    if mode_access in _NO:
        return None
    if speed is None:
        # footway/pedestrian explicitly opened to bicycles, for instance
        return speed_of(profile) * 0.8 if mode_access in {"yes", "designated"} else None
    if tags.get("access") in _NO and mode_access is None:
        return None
    return speed


def _direction(tags: osmium.osm.TagList, profile: str) -> int:
    """1 forward only, -1 backward only, 0 both ways."""
    if profile not in _ONE_WAY_MODES:
        return 0
    if profile != "car" and tags.get("oneway:bicycle") == "no":
        return 0
    oneway = tags.get("oneway", "")
    if oneway in {"yes", "true", "1"} or (
        not oneway and tags.get("junction") in {"roundabout", "circular"}
    ):
        return 1
    return -1 if oneway == "-1" else 0


def _equirectangular(lats: np.ndarray, lons: np.ndarray, lat0: float) -> np.ndarray:
    """Local planar metres, precise enough to find the nearest road node within a city."""
    scale = math.pi / 180 * 6_371_008.8
    return np.column_stack((lons * scale * math.cos(math.radians(lat0)), lats * scale))


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """The largest strongly connected street graph of one travel mode."""

    profile: str
    lats: npt.NDArray[np.float64]
    lons: npt.NDArray[np.float64]
    weights: csr_matrix  # deciseconds * _BIG + decimetres: time first, distance along it

    @property
    def nodes(self) -> int:
        return int(self.lats.shape[0])

    @classmethod
    def from_osm(cls, path: Path, profile: str) -> RoadGraph:
        speed_of(profile)  # unknown profiles fail here, with the list of known ones
        index: dict[int, int] = {}
        lats: list[float] = []
        lons: list[float] = []
        tails: list[int] = []
        heads: list[int] = []
        speeds: list[float] = []

        def node(osm_id: int, lat: float, lon: float) -> int:
            if osm_id not in index:
                index[osm_id] = len(lats)
                lats.append(lat)
                lons.append(lon)
            return index[osm_id]

        processor = osmium.FileProcessor(str(path)).with_locations()
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            speed = _allowed(way.tags, profile)
            if speed is None:
                continue
            direction = _direction(way.tags, profile)
            points = [n for n in way.nodes if n.location.valid()]
            for a, b in itertools.pairwise(points):
                u = node(a.ref, a.location.lat, a.location.lon)
                v = node(b.ref, b.location.lat, b.location.lon)
                if u == v:
                    continue
                if direction >= 0:
                    tails.append(u)
                    heads.append(v)
                    speeds.append(speed)
                if direction <= 0:
                    tails.append(v)
                    heads.append(u)
                    speeds.append(speed)
        if not tails:
            raise ValueError(f"{path} has no street that {profile} may use.")
        lat_arr, lon_arr = np.asarray(lats), np.asarray(lons)
        tail_arr, head_arr = np.asarray(tails), np.asarray(heads)
        xy = _equirectangular(lat_arr, lon_arr, float(lat_arr.mean()))
        metres = np.hypot(*(xy[tail_arr] - xy[head_arr]).T)
        weights = np.rint(metres / np.asarray(speeds) * 10) * _BIG + np.rint(metres * 10)
        return cls._largest_component(profile, lat_arr, lon_arr, tail_arr, head_arr, weights)

    @classmethod
    def _largest_component(
        cls,
        profile: str,
        lats: np.ndarray,
        lons: np.ndarray,
        tails: np.ndarray,
        heads: np.ndarray,
        weights: np.ndarray,
    ) -> RoadGraph:
        # Two ways can join the same nodes; scipy would add their weights: keep the cheapest.
        order = np.lexsort((weights, heads, tails))
        tails, heads, weights = tails[order], heads[order], weights[order]
        first = np.ones(len(tails), dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        tails, heads, weights = tails[first], heads[first], weights[first]
        size = len(lats)
        graph = csr_matrix((weights, (tails, heads)), shape=(size, size))
        _, labels = connected_components(graph, directed=True, connection="strong")
        keep = labels == np.bincount(labels).argmax()
        renumber = np.cumsum(keep) - 1
        inside = keep[tails] & keep[heads]
        count = int(keep.sum())
        sub = csr_matrix(
            (weights[inside], (renumber[tails[inside]], renumber[heads[inside]])),
            shape=(count, count),
        )
        return cls(profile, lats[keep], lons[keep], sub)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _temporary(path)
        np.savez_compressed(
            temporary,
            profile=np.asarray(self.profile),
            lats=self.lats,
            lons=self.lons,
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
        )
        temporary.replace(path)  # atomic: a reader never sees half a file

    @classmethod
    def load(cls, path: Path) -> RoadGraph:
        with np.load(path) as saved:
            size = saved["lats"].shape[0]
            weights = csr_matrix(
                (saved["data"], saved["indices"], saved["indptr"]), shape=(size, size)
            )
            return cls(str(saved["profile"]), saved["lats"], saved["lons"], weights)


class RoadNetwork:
    """A matrix provider over an OpenStreetMap extract (.osm.pbf or .osm).

    Parameters
    ----------
    extract
        The OpenStreetMap file.
    cache_dir
        Where graphs and matrices are kept between runs; None keeps them in memory only.
    access_speed
        Metres per second off the network, from a place to its snapped road node (a walk
        to the gate or kerb), for every mode.
    """

    def __init__(
        self, extract: Path, cache_dir: Path | None = None, access_speed: float = 1.0
    ) -> None:
        if not extract.is_file():
            raise ValueError(f"No OpenStreetMap extract at {extract}.")
        if access_speed <= 0:
            raise ValueError("The access speed must be positive.")
        self.extract = extract
        self.cache_dir = cache_dir
        self.access_speed = access_speed
        self._graphs: dict[str, RoadGraph] = {}
        self._trees: dict[str, cKDTree] = {}
        digest = hashlib.sha256(extract.read_bytes()).hexdigest()[:16]
        self._key = f"{digest}-v{GRAPH_VERSION}"

    def graph(self, profile: str) -> RoadGraph:
        """The street graph of this mode, from memory, the disk cache, or the extract."""
        if profile not in self._graphs:
            cached = self._cache_path(f"graph-{profile}")
            if cached is not None and cached.exists():
                graph = RoadGraph.load(cached)
            else:
                graph = RoadGraph.from_osm(self.extract, profile)
                if cached is not None:
                    graph.save(cached)
            self._graphs[profile] = graph
        return self._graphs[profile]

    def streets(self, profile: str = "walk") -> npt.NDArray[np.float64]:
        """The mode's street segments, each once whatever its directions, as rows of
        (lat, lon, lat, lon): for drawing a map without tiles."""
        graph = self.graph(profile)
        arcs = graph.weights.tocoo()
        tails, heads = np.minimum(arcs.row, arcs.col), np.maximum(arcs.row, arcs.col)
        pairs = np.unique(np.stack([tails, heads], axis=1), axis=0)
        return np.column_stack(
            [
                graph.lats[pairs[:, 0]],
                graph.lons[pairs[:, 0]],
                graph.lats[pairs[:, 1]],
                graph.lons[pairs[:, 1]],
            ]
        )

    def snap(self, points: Sequence[Location], profile: str) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of the mode's largest connected street graph, and metres to it."""
        graph = self.graph(profile)
        lat0 = float(graph.lats.mean())
        if profile not in self._trees:
            self._trees[profile] = cKDTree(_equirectangular(graph.lats, graph.lons, lat0))
        lats = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
        lons = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
        metres, nodes = self._trees[profile].query(_equirectangular(lats, lons, lat0))
        return np.asarray(nodes, dtype=np.int64), np.asarray(metres, dtype=np.float64)

    def matrix(self, points: Sequence[Location], profile: str) -> TravelMatrix:
        cached = self._cache_path(f"matrix-{profile}-{_points_key(points)}")
        if cached is not None and cached.exists():
            with np.load(cached) as saved:
                return TravelMatrix(saved["durations"], saved["distances"])
        result = self._compute(points, profile)
        if cached is not None:
            temporary = _temporary(cached)
            np.savez_compressed(temporary, durations=result.durations, distances=result.distances)
            temporary.replace(cached)
        return result

    def ways(
        self, legs: Sequence[tuple[Location, Location]], profile: str
    ) -> list[list[tuple[float, float]]]:
        """Each leg's way along the mode's streets, for drawing a route: its start, the street
        corners in order, its end (a straight line where its ends are not connected)."""
        graph = self.graph(profile)
        nodes, _metres = self.snap([point for leg in legs for point in leg], profile)
        starts, ends = nodes[0::2].tolist(), nodes[1::2].tolist()
        found: list[list[tuple[float, float]]] = [[] for _ in legs]
        sources = sorted(set(starts))
        for first in range(0, len(sources), _PATHS_AT_ONCE):  # bounded memory on large graphs
            block = sources[first : first + _PATHS_AT_ONCE]
            _, trees = dijkstra(
                graph.weights, directed=True, indices=block, return_predecessors=True
            )
            tree_of = dict(zip(block, trees, strict=True))
            for n, (start, end) in enumerate(legs):
                if starts[n] not in tree_of:
                    continue
                corners = _corners(tree_of[starts[n]], starts[n], ends[n])
                inside = [(float(graph.lats[c]), float(graph.lons[c])) for c in corners]
                found[n] = [(start.lat, start.lon), *inside, (end.lat, end.lon)]
        return found

    def _compute(self, points: Sequence[Location], profile: str) -> TravelMatrix:
        graph = self.graph(profile)
        nodes, access = self.snap(points, profile)
        unique, position = np.unique(nodes, return_inverse=True)
        combined = np.empty((len(unique), len(unique)))
        for start in range(0, len(unique), 256):  # bounded memory on large graphs
            block = dijkstra(graph.weights, directed=True, indices=unique[start : start + 256])
            combined[start : start + 256] = block[:, unique]
        combined = combined[np.ix_(position, position)]
        seconds = np.floor(combined / _BIG) / 10
        metres = (combined - np.floor(combined / _BIG) * _BIG) / 10
        access_seconds = access / self.access_speed
        seconds += access_seconds[:, None] + access_seconds[None, :]
        metres += access[:, None] + access[None, :]
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return TravelMatrix.from_arrays(seconds, metres)

    def _cache_path(self, name: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{self._key}-{name}.npz"


def _corners(tree: npt.NDArray[np.int32], source: int, target: int) -> list[int]:
    """The nodes from `source` to `target` in a shortest-path tree (its predecessors); none
    if the target is not reached from the source."""
    corners = [target]
    while corners[-1] != source:
        before = int(tree[corners[-1]])
        if before < 0:  # scipy's mark of a node with no predecessor: not reached
            return []
        corners.append(before)
    return corners[::-1]


def _temporary(path: Path) -> Path:
    """A name no other writer uses: planners in several processes may fill one cache."""
    return path.with_name(f"{path.stem}.{os.getpid()}.{uuid.uuid4().hex}.tmp.npz")


def _points_key(points: Sequence[Location]) -> str:
    text = ";".join(f"{p.lat:.6f},{p.lon:.6f}" for p in points)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
