"""A local HTTP server that answers like Nominatim's /search, for geopy's real client."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# Address -> (lat, lon) the stand-in knows; "服务器故障" makes it fail with HTTP 500.
KNOWN_PLACES = {
    "南京市中山东路1号": (32.0430, 118.7900),
    "南京市汉中路89号": (32.0418, 118.7702),
    "南京市华侨路56号": (32.0465, 118.7751),
}
FAILING_ADDRESS = "服务器故障"


@dataclass
class StubNominatim:
    url: str
    queries: list[str] = field(default_factory=list)


@contextmanager
def running_stub() -> Iterator[StubNominatim]:
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = parse_qs(urlparse(self.path).query)
            query = params.get("q", [""])[0]
            queries.append(query)
            if FAILING_ADDRESS in query:
                self.send_error(500, "stub failure")
                return
            place = KNOWN_PLACES.get(query)
            results = (
                [
                    {
                        "lat": str(place[0]),
                        "lon": str(place[1]),
                        "display_name": f"{query}, 南京市, 江苏省, 中国",
                        "place_id": 1,
                    }
                ]
                if place
                else []
            )
            body = json.dumps(results).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield StubNominatim(url=f"127.0.0.1:{server.server_address[1]}", queries=queries)
    finally:
        server.shutdown()
        server.server_close()
