"""What a request must pass before its content is read: origin, client address, rate.

A static page posting to the service sends no cookies, so the risk is forged spam, not a
stolen session: an exact Origin allow-list (CORS answered only for it), the same-origin check
for the plain form post, per-address and global rate limits. The client's address is the
peer's, or the one the trusted proxy appended to X-Forwarded-For; a header from anyone else
is ignored, since it would let a client choose its own rate-limit bucket.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from generator.intake.config import IntakeConfig, Limit, check_origin

Environ = Mapping[str, Any]


def request_origin(environ: Environ) -> str | None:
    """The Origin header, normalised; None when absent or "null" (sandboxed, file://)."""
    raw = environ.get("HTTP_ORIGIN")
    if raw is None or raw.strip() == "null":
        return None
    return check_origin(raw) or raw.strip()


def referer_origin(environ: Environ) -> str | None:
    raw = environ.get("HTTP_REFERER")
    if not raw:
        return None
    parts = urlsplit(raw)
    return check_origin(f"{parts.scheme}://{parts.netloc}") if parts.scheme else None


def origin_allowed(config: IntakeConfig, origin: str | None) -> bool:
    return origin is not None and origin in config.allowed_origins


def same_origin_post(config: IntakeConfig, environ: Environ) -> bool:
    """A plain form post comes from one of our pages: its Origin (or, from a browser that
    sends none, its Referer) is allowed, and the browser does not call it cross-site."""
    if environ.get("HTTP_SEC_FETCH_SITE", "") == "cross-site":
        return False
    origin = request_origin(environ)
    if environ.get("HTTP_ORIGIN") is not None:
        return origin_allowed(config, origin)
    return origin_allowed(config, referer_origin(environ))


def client_address(config: IntakeConfig, environ: Environ) -> str:
    peer = str(environ.get("REMOTE_ADDR", ""))
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    if peer in config.trusted_proxies and forwarded:
        last = forwarded.split(",")[-1].strip()  # the hop our proxy added
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer


class RateLimiter:
    """Sliding-window limits: `per_ip` for each address and `global_limit` over all."""

    def __init__(self, per_ip: Limit, global_limit: Limit,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_ip, self.global_limit, self.clock = per_ip, global_limit, clock
        self._hits: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()
        self._calls = 0

    def check(self, address: str) -> float:
        """0 when the request may go on (and is counted), else seconds until it may."""
        now = self.clock()
        with self._lock:
            self._calls += 1
            if self._calls % 1000 == 0:
                self._sweep(now)
            mine = self._hits.setdefault(address, deque())
            for hits, limit in ((mine, self.per_ip), (self._all, self.global_limit)):
                while hits and hits[0] <= now - limit.seconds:
                    hits.popleft()
                if len(hits) >= limit.requests:
                    return max(1.0, hits[0] + limit.seconds - now)
            mine.append(now)
            self._all.append(now)
            return 0.0

    def _sweep(self, now: float) -> None:
        """Forget addresses with no hit inside the window (memory stays bounded)."""
        horizon = now - self.per_ip.seconds
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= horizon]:
            del self._hits[key]
