"""Travel matrices: great circle against geopy, the street network of the real extract, and a
routing server's matrix API against a local stand-in."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from geopy.distance import great_circle

from routing import GreatCircle, Location
from routing.matrix.greatcircle import DETOURS
from routing.matrix.roads import RoadNetwork
from routing.matrix.server import ServerMatrix, UnreachableError

# The shared Nanjing extract, as the demo ships it (the same file, byte for byte).
EXTRACT = Path(__file__).resolve().parents[2] / "scripts" / "demo" / "nanjing-xinjiekou.osm.pbf"
XINJIEKOU = Location(32.0418, 118.7784)


def scattered(count: int, seed: int = 7) -> list[Location]:
    rng = random.Random(seed)
    return [
        Location(32.031 + rng.random() * 0.026, 118.757 + rng.random() * 0.041)
        for _ in range(count)
    ]


def test_great_circle_matches_geopy_with_the_detour_of_each_mode() -> None:
    points = [*scattered(30), Location(39.9042, 116.4074), Location(-33.8688, 151.2093)]
    for profile in ("walk", "car"):
        matrix = GreatCircle().matrix(points, profile)
        for i, a in enumerate(points):
            for j, b in enumerate(points):
                expected = great_circle((a.lat, a.lon), (b.lat, b.lon)).meters * DETOURS[profile]
                assert matrix.distances[i, j] == pytest.approx(expected, abs=1.0, rel=1e-6)
        assert (np.diag(matrix.durations) == 0).all()
    walk, car = (GreatCircle().matrix(points, p) for p in ("walk", "car"))
    assert (car.durations[0, 1:30] < walk.durations[0, 1:30]).all()


def test_unknown_travel_modes_are_refused() -> None:
    with pytest.raises(ValueError, match="travel profile"):
        GreatCircle().matrix(scattered(2), "rocket")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    return RoadNetwork(EXTRACT, cache_dir=tmp_path_factory.mktemp("roads"))


def test_road_distances_are_never_shorter_than_the_crow_flies(network: RoadNetwork) -> None:
    points = scattered(40)
    roads = network.matrix(points, "walk")
    crow = GreatCircle(detours={"walk": 1.0}).matrix(points, "walk")
    assert (roads.distances >= crow.distances - 2).all()
    ratio = roads.distances[crow.distances > 300] / crow.distances[crow.distances > 300]
    assert 1.05 < float(np.median(ratio)) < 2.0


def test_one_way_streets_bind_cars_but_not_walkers(network: RoadNetwork) -> None:
    points = scattered(40)
    car = network.matrix(points, "car")
    walk = network.matrix(points, "walk")
    assert (car.durations != car.durations.T).any()
    assert (np.abs(walk.durations - walk.durations.T) <= 1).all()
    assert (car.durations < walk.durations)[~np.eye(40, dtype=bool)].mean() > 0.9


def test_places_snap_to_the_largest_connected_street_graph(network: RoadNetwork) -> None:
    graph = network.graph("car")
    nodes, metres = network.snap([XINJIEKOU], "car")
    assert 0 <= nodes[0] < graph.nodes
    assert metres[0] < 300
    from scipy.sparse.csgraph import connected_components

    count, _ = connected_components(graph.weights, directed=True, connection="strong")
    assert count == 1


def test_graphs_and_matrices_are_cached_on_disk(network: RoadNetwork, tmp_path: Path) -> None:
    points = scattered(12, seed=3)
    first = network.matrix(points, "ebike")
    assert network.cache_dir is not None
    assert any(network.cache_dir.glob("*matrix-ebike-*.npz"))
    assert any(network.cache_dir.glob("*graph-ebike.npz"))
    again = RoadNetwork(EXTRACT, cache_dir=network.cache_dir).matrix(points, "ebike")
    assert (again.durations == first.durations).all()
    assert (again.distances == first.distances).all()


TINY_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="32.0000" lon="118.0000"/>
  <node id="2" lat="32.0000" lon="118.0100"/>
  <node id="3" lat="32.0090" lon="118.0100"/>
  <node id="4" lat="32.0090" lon="118.0000"/>
  <node id="5" lat="32.0500" lon="118.0500"/>
  <node id="6" lat="32.0501" lon="118.0501"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
  <way id="12"><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="secondary"/><tag k="oneway" v="yes"/></way>
  <way id="13"><nd ref="1"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="14"><nd ref="5"/><nd ref="6"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_duplicate_arcs_keep_the_fastest_and_footways_are_for_walkers(tmp_path: Path) -> None:
    extract = tmp_path / "tiny.osm"
    extract.write_text(TINY_OSM)
    roads = RoadNetwork(extract)
    corner, east = Location(32.0, 118.0), Location(32.0, 118.01)
    car = roads.matrix([corner, east], "car")
    metres = great_circle((32.0, 118.0), (32.0, 118.01)).meters
    # primary (11 m/s) and residential (5.5 m/s) join the same nodes: the primary counts,
    # and the two are not added up.
    assert car.durations[0, 1] == pytest.approx(metres / 11.0, abs=1.5)
    assert car.distances[0, 1] == pytest.approx(metres, abs=2)
    north = Location(32.009, 118.0)
    # 1 -> 4 by car must go round the one-way loop 1-2-3-4; walkers take the footway.
    car = roads.matrix([corner, north], "car")
    walk = roads.matrix([corner, north], "walk")
    assert car.distances[0, 1] > 2.5 * walk.distances[0, 1]
    # the isolated way 5-6 is not the largest component: its places snap to the loop
    _, metres_off = roads.snap([Location(32.0500, 118.0500)], "car")
    assert metres_off[0] > 1000
    (tmp_path / "empty.osm").write_text(TINY_OSM.replace('k="highway"', 'k="building"'))
    with pytest.raises(ValueError, match="no street"):
        RoadNetwork(tmp_path / "empty.osm").graph("car")


class _StandIn(BaseHTTPRequestHandler):
    """A quiet local server that answers JSON."""

    def answer(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _StandInOSRM(_StandIn):
    """Answers OSRM's /table service from great-circle distances; null beyond 'unreachable'."""

    provider = GreatCircle()
    requests: list[int] = []  # noqa: RUF012 - a log shared by the test

    def do_GET(self) -> None:
        url = urlsplit(self.path)  # not urlparse: it cuts the path at ";"
        parts = url.path.split("/")  # /table/v1/{profile}/{lon,lat;...}
        query = parse_qs(url.query)
        points = [
            Location(float(lat), float(lon))
            for lon, lat in (pair.split(",") for pair in parts[4].split(";"))
        ]
        self.requests.append(len(points))
        mode = {"driving": "car", "foot": "walk", "bike": "bicycle"}[parts[3]]
        matrix = self.provider.matrix(points, mode)
        sources = [int(i) for i in query["sources"][0].split(";")]
        targets = [int(i) for i in query["destinations"][0].split(";")]

        def table(values: np.ndarray) -> list[list[float | None]]:
            return [
                [
                    None if points[t].lat > 60 or points[s].lat > 60 else float(values[s, t])
                    for t in targets
                ]
                for s in sources
            ]

        answer = {
            "code": "Ok",
            "durations": table(matrix.durations),
            "distances": table(matrix.distances),
        }
        self.answer(answer)


@pytest.fixture
def osrm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInOSRM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _StandInOSRM.requests.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_server_matrix_is_assembled_from_blocks_the_server_accepts(osrm: str) -> None:
    points = scattered(9)
    provider = ServerMatrix.osrm(osrm, max_locations=6)
    matrix = provider.matrix(points, "car")
    expected = GreatCircle().matrix(points, "car")
    assert np.abs(matrix.durations - expected.durations).max() <= 1
    assert np.abs(matrix.distances - expected.distances).max() <= 1
    assert max(_StandInOSRM.requests) <= 6
    assert len(_StandInOSRM.requests) == 9  # 3 x 3 blocks of 3 places


class _StandInValhalla(_StandIn):
    """Answers Valhalla's /sources_to_targets from great-circle distances, in kilometres."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        mode = {"auto": "car", "pedestrian": "walk", "bicycle": "bicycle"}[request["costing"]]
        sources = [Location(p["lat"], p["lon"]) for p in request["sources"]]
        targets = [Location(p["lat"], p["lon"]) for p in request["targets"]]
        matrix = _StandInOSRM.provider.matrix([*sources, *targets], mode)
        rows = [
            [
                {
                    "time": float(matrix.durations[s, len(sources) + t]),
                    "distance": float(matrix.distances[s, len(sources) + t]) / 1000,
                }
                for t in range(len(targets))
            ]
            for s in range(len(sources))
        ]
        self.answer({"sources_to_targets": rows, "units": "kilometers"})


def test_valhalla_answers_in_kilometres_become_metres() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInValhalla)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        points = scattered(5)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        matrix = ServerMatrix.valhalla(url, max_locations=4).matrix(points, "car")
        expected = GreatCircle().matrix(points, "car")
        assert np.abs(matrix.distances - expected.distances).max() <= 1
        assert np.abs(matrix.durations - expected.durations).max() <= 1
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_places_are_named(osrm: str) -> None:
    points = [*scattered(3), Location(70.0, 20.0)]
    with pytest.raises(UnreachableError, match="place 3"):
        ServerMatrix.osrm(osrm).matrix(points, "walk")
    with pytest.raises(ValueError, match="No server profile"):
        ServerMatrix.osrm(osrm).matrix(points, "rocket")


def test_planners_filling_one_cache_at_once_do_not_collide(tmp_path: Path) -> None:
    # Two writers of the same cache entry once shared a temporary file name: one failed.
    points = scattered(15, seed=11)
    errors: list[BaseException] = []

    def fill() -> None:
        try:
            RoadNetwork(EXTRACT, cache_dir=tmp_path).matrix(points, "bicycle")
        except BaseException as error:  # the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=fill) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not list(tmp_path.glob("*.tmp.npz"))


def test_the_streets_of_an_extract_are_its_graph_segments_once_each(
    network: RoadNetwork,
) -> None:
    segments = network.streets("walk")
    graph = network.graph("walk")
    assert segments.shape[1] == 4
    assert len(segments) >= graph.weights.nnz // 2  # both directions drawn once
    assert len(segments) <= graph.weights.nnz
    lats, lons = segments[:, [0, 2]], segments[:, [1, 3]]
    assert graph.lats.min() <= lats.min() <= lats.max() <= graph.lats.max()
    assert graph.lons.min() <= lons.min() <= lons.max() <= graph.lons.max()
    unique = {tuple(row) for row in np.round(segments, 7)}
    assert len(unique) == len(segments)


def test_a_leg_is_drawn_along_the_streets_its_mode_may_use(tmp_path: Path) -> None:
    """A route's leg on the map follows the streets: 1 -> 4 by car round the one-way loop
    1-2-3-4, on foot along the footway; each way starts and ends at the places themselves."""
    extract = tmp_path / "tiny.osm"
    extract.write_text(TINY_OSM)
    roads = RoadNetwork(extract)
    start, end = Location(32.0001, 118.0001), Location(32.0089, 118.0001)
    [by_car] = roads.ways([(start, end)], "car")
    [on_foot] = roads.ways([(start, end)], "walk")
    corners = [(32.0, 118.0), (32.0, 118.01), (32.009, 118.01), (32.009, 118.0)]
    assert by_car == [(start.lat, start.lon), *corners, (end.lat, end.lon)]
    assert on_foot == [(start.lat, start.lon), corners[0], corners[3], (end.lat, end.lon)]
    # The same corner at both ends (a door next to the kitchen): one corner between them.
    [here] = roads.ways([(start, start)], "walk")
    assert here == [(start.lat, start.lon), corners[0], (start.lat, start.lon)]
