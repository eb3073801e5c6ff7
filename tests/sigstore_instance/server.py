"""Loopback HTTP front ends for the Fulcio, Rekor and OIDC services."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .ca import CertificateAuthority
from .fulcio import SigningCertError, signing_cert
from .oauth import OAuthIssuer, basic_auth
from .oidc import OIDCProvider, TokenRejected
from .rekor import EntryRejected, RekorLog

MAX_BODY = 16 * 1024 * 1024
LOOPBACK = "127.0.0.1"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int
    payload: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if isinstance(self.payload, bytes):
            return self.payload
        if isinstance(self.payload, str):
            return self.payload.encode()
        return json.dumps(self.payload).encode()


App = Callable[[Request], Response]


def _error(status: int, message: str) -> Response:
    return Response(status, {"code": status, "message": message})


class _Handler(BaseHTTPRequestHandler):
    server: _LoopbackHTTPServer
    # HTTP/1.0 (the default): one request per connection, so no idle
    # keep-alive threads linger after a test.
    timeout = 10

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(_error(413, "request too large"))
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path.rstrip("/") or "/",
            query=parse_qs(url.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        self.server.requests.append((request.method, request.path))
        try:
            response = self.server.app(request)
        except Exception as exc:  # report, never kill the server thread
            response = _error(500, f"{type(exc).__name__}: {exc}")
        self._send(response)

    def _send(self, response: Response) -> None:
        data = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _dispatch
    do_POST = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _LoopbackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.app = app
        self.requests: list[tuple[str, str]] = []

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return client_address[0] == LOOPBACK


class LoopbackServer:
    """One service on 127.0.0.1:<ephemeral port>, served from a thread."""

    def __init__(self, app: App, name: str) -> None:
        self._httpd = _LoopbackHTTPServer(app)
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"private-sigstore-{name}",
            daemon=True,
        )
        self._thread.start()

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request served, for assertions."""
        return self._httpd.requests

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def fulcio_app(ca: CertificateAuthority, oidc: OIDCProvider) -> App:
    def app(request: Request) -> Response:
        if request.method == "POST" and request.path == "/api/v2/signingCert":
            try:
                payload = request.json()
                if not isinstance(payload, dict):
                    raise SigningCertError(400, "request body must be an object")
                return Response(
                    201, signing_cert(ca, oidc, payload, request.headers.get("authorization"))
                )
            except json.JSONDecodeError:
                return _error(400, "invalid JSON")
            except SigningCertError as exc:
                return _error(exc.status, exc.message)
        if request.method == "GET" and request.path == "/api/v2/trustBundle":
            return Response(200, {"chains": [{"certificates": ca.chain_pem()}]})
        return _error(404, "not found")

    return app


def rekor_app(log: RekorLog) -> App:
    def entry(index: int | None) -> Response:
        if index is None or not 0 <= index < len(log.entries):
            return _error(404, "entry not found")
        return Response(200, log.entry_response(index))

    def app(request: Request) -> Response:
        path, method = request.path, request.method
        if method == "GET" and path == "/api/v1/log":
            return Response(200, log.log_info())
        if method == "GET" and path == "/api/v1/log/proof":
            try:
                first = int(request.query["firstSize"][0])
                last = int(request.query.get("lastSize", [str(len(log.entries))])[0])
                return Response(200, log.consistency(first, last))
            except (KeyError, ValueError) as exc:
                return _error(400, f"invalid proof request: {exc}")
        if method == "GET" and path == "/api/v1/log/publicKey":
            return Response(200, log.public_key_pem, content_type="application/x-pem-file")
        if path == "/api/v1/log/entries":
            if method == "POST":
                try:
                    response = log.submit(request.json())
                except (EntryRejected, json.JSONDecodeError, AttributeError) as exc:
                    return _error(400, str(exc))
                uuid = next(iter(response))
                return Response(201, response, headers={"Location": f"{path}/{uuid}"})
            if "logIndex" in request.query:
                try:
                    return entry(int(request.query["logIndex"][0]))
                except ValueError:
                    return _error(400, "logIndex is not a number")
        if method == "POST" and path == "/api/v1/log/entries/retrieve":
            query = request.json() or {}
            indexes = [log.find_uuid(u) for u in query.get("entryUUIDs", [])]
            indexes += [int(i) for i in query.get("logIndexes", [])]
            indexes += [log.find_body(e) for e in query.get("entries", [])]
            found = [i for i in indexes if i is not None and 0 <= i < len(log.entries)]
            return Response(200, [log.entry_response(i) for i in found])
        if method == "GET" and path.startswith("/api/v1/log/entries/"):
            return entry(log.find_uuid(path.rsplit("/", 1)[1]))
        return _error(404, "not found")

    return app


def oidc_app(oidc: OIDCProvider, oauth: OAuthIssuer) -> App:
    def first(values: dict[str, list[str]]) -> dict[str, str]:
        return {k: v[0] for k, v in values.items()}

    def app(request: Request) -> Response:
        method, path = request.method, request.path
        if method == "GET" and path == "/.well-known/openid-configuration":
            return Response(200, oidc.discovery_document())
        if method == "GET" and path == "/keys":
            return Response(200, oidc.jwks())
        try:
            if method == "GET" and path == "/auth":
                code, location = oauth.authorize(first(request.query))
                if location is None:  # out of band: the page shows the code to type
                    return Response(200, code, content_type="text/plain")
                return Response(302, b"", headers={"Location": location})
            if method == "POST" and path == "/token":
                form = first(parse_qs(request.body.decode()))
                client = basic_auth(request.headers.get("authorization"))
                return Response(200, oauth.exchange(form, client))
            if method == "GET" and path == "/actions/token":
                audience = first(request.query).get("audience", "sigstore")
                return Response(
                    200, oauth.actions_token(request.headers.get("authorization"), audience)
                )
        except TokenRejected as exc:
            return Response(400, {"error": str(exc)})
        return _error(404, "not found")

    return app
