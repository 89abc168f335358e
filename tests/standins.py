"""Stand-ins for the services messages go to, each on a free port of this machine: an SMTP
server (aiosmtpd), a webhook receiver (what Apprise's json:// posts to), and Tencent Cloud
SMS, which checks each request's TC3-HMAC-SHA256 signature as Tencent documents it."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from scripts.local_redis import free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    inbox: _Inbox

    @property
    def messages(self) -> list[EmailMessage]:
        with self.inbox.lock:
            return list(self.inbox.messages)


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, inbox)
    finally:
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpStandIn:
    port: int
    received: list[Received] = field(default_factory=list)
    refused: int = 0  # requests a stand-in turned down (a bad signature)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def posts(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]


@contextmanager
def webhook_server() -> Iterator[HttpStandIn]:
    """Takes every POST, answers 200."""
    with _http(lambda stand_in, request: (200, b"{}")) as stand_in:
        yield stand_in


# --- Tencent Cloud SMS --------------------------------------------------------------------

SECRET_ID = "AKIDstandin0000000000000000000000000"
SECRET_KEY = "standin-secret-key-not-a-real-one"


def tc3_signature(secret_key: str, request: Received, timestamp: str, date: str) -> str:
    """The signature Tencent Cloud computes for a POST with a JSON body (TC3-HMAC-SHA256)."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{request.headers['content-type']}\nhost:{request.headers['host']}\n",
            "content-type;host",
            hashlib.sha256(request.body).hexdigest(),
        ]
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )

    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _sms_answer(stand_in: HttpStandIn, request: Received) -> tuple[int, bytes]:
    headers = request.headers
    request_id = str(uuid.uuid4())
    authorization = headers.get("authorization", "")
    parts = dict(
        part.strip().split("=", 1)
        for part in authorization.removeprefix("TC3-HMAC-SHA256 ").split(",")
        if "=" in part
    )
    secret_id, date, service, _end = parts.get("Credential", "///").split("/")
    timestamp = headers.get("x-tc-timestamp", "0")
    fresh = abs(datetime.now(UTC).timestamp() - int(timestamp)) < 300
    genuine = (
        authorization.startswith("TC3-HMAC-SHA256 ")
        and secret_id == SECRET_ID
        and service == "sms"
        and parts.get("SignedHeaders") == "content-type;host"
        and fresh
        and date == datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
        and hmac.compare_digest(
            parts.get("Signature", ""), tc3_signature(SECRET_KEY, request, timestamp, date)
        )
    )
    if not genuine or headers.get("x-tc-action") != "SendSms":
        error = {"Code": "AuthFailure.SignatureFailure", "Message": "signature mismatch"}
        return 200, json.dumps({"Response": {"Error": error, "RequestId": request_id}}).encode()
    sent = request.json()
    statuses = [
        {
            "SerialNo": f"serial-{uuid.uuid4().hex[:8]}",
            "PhoneNumber": number,
            "Fee": 1,
            "SessionContext": sent.get("SessionContext", ""),
            "Code": "Ok",
            "Message": "send success",
            "IsoCode": "CN",
        }
        for number in sent["PhoneNumberSet"]
    ]
    answer = {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}
    return 200, json.dumps(answer).encode()


@contextmanager
def tencent_sms_server() -> Iterator[HttpStandIn]:
    """Answers SendSms as Tencent does; a request whose signature does not verify gets
    AuthFailure.SignatureFailure. `posts()` keeps only the genuine ones."""

    def answer(stand_in: HttpStandIn, request: Received) -> tuple[int, bytes]:
        status, body = _sms_answer(stand_in, request)
        if b"SendStatusSet" not in body:
            with stand_in.lock:
                stand_in.received.remove(request)
                stand_in.refused += 1
        return status, body

    with _http(answer) as stand_in:
        yield stand_in


@contextmanager
def _http(answer: Any) -> Iterator[HttpStandIn]:
    stand_in = HttpStandIn(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = Received(
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            with stand_in.lock:
                stand_in.received.append(request)
            status, body = answer(stand_in, request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", stand_in.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
