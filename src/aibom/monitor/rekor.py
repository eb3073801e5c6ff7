"""A bounded Rekor v1 REST client: three GET endpoints under one base URL, nothing else.

Bounded: every request has a time-out, every response a size cap, and the client a request
budget. It follows no redirects and uses no proxy, so it talks to the given URL only.
Failures are InputErrors (exit 2): an unreachable or broken log is not a verdict.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from aibom.errors import InputError

DEFAULT_TIMEOUT = 30.0  # seconds per request
DEFAULT_MAX_REQUESTS = 100_000
MAX_RESPONSE_BYTES = 8 << 20


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        raise InputError(f"the log at {_origin(req.full_url)} redirected (HTTP {code}); "
                         "redirects are not followed")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RekorClient:
    """GET /api/v1/log, /api/v1/log/proof and /api/v1/log/entries of one Rekor v1 log."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 max_requests: int = DEFAULT_MAX_REQUESTS) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--rekor-url {base_url!r} is not an http(s) URL")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise InputError("--rekor-url must not carry a query, fragment or credentials")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_requests = max_requests
        self.requests = 0
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _NoRedirect()
        )

    def log_info(self) -> dict[str, Any]:
        """GET /api/v1/log: treeSize, rootHash, signedTreeHead."""
        return self._get_object("/api/v1/log", {})

    def consistency_proof(self, first_size: int, last_size: int) -> dict[str, Any]:
        """GET /api/v1/log/proof: rootHash and hashes from first_size to last_size."""
        return self._get_object("/api/v1/log/proof",
                                {"firstSize": first_size, "lastSize": last_size})

    def entry(self, log_index: int) -> dict[str, Any]:
        """GET /api/v1/log/entries?logIndex=I: the `{uuid: entry}` object."""
        return self._get_object("/api/v1/log/entries", {"logIndex": log_index})

    def _get_object(self, path: str, query: dict[str, int]) -> dict[str, Any]:
        if self.requests >= self.max_requests:
            raise InputError(f"request budget of {self.max_requests} requests to the log is "
                             "spent", hint="raise --max-requests")
        self.requests += 1
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        shown = f"{path}{'?' + urlencode(query) if query else ''}"
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise InputError(f"the log answered HTTP {exc.code} to GET {shown}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(f"the log at {self.base_url} is unreachable: {reason}") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise InputError(f"the log's answer to GET {shown} exceeds "
                             f"{MAX_RESPONSE_BYTES >> 20} MiB")
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InputError(f"the log's answer to GET {shown} is not JSON") from None
        if not isinstance(document, dict):
            raise InputError(f"the log's answer to GET {shown} is not a JSON object")
        return document
