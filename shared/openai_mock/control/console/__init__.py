"""The console (docs/console.md): one hand-written page, its script and its stylesheet, served by the mock
controls at /__mock/console. The files ship as package data beside this module (in the wheel and in the
Lambda layer). They hold no secret and answer without a key: the page asks for one and sends it, like any
client, on its own calls to /v1 and /__mock."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import NamedTuple

PREFIX = "/__mock/console"

# Everything from this origin, nothing inline, nothing from elsewhere; not framed; no forms posted away.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# path → (file, content type)
ASSETS = {
    PREFIX: ("index.html", "text/html; charset=utf-8"),
    f"{PREFIX}/console.js": ("console.js", "text/javascript; charset=utf-8"),
    f"{PREFIX}/console.css": ("console.css", "text/css; charset=utf-8"),
}
PUBLIC_PATHS = frozenset(ASSETS)


class Asset(NamedTuple):
    body: bytes
    content_type: str
    etag: str

    def headers(self) -> dict[str, str]:
        return {
            "content-type": self.content_type,
            # Revalidated on every load (a new version of the mock shows at once), answered 304 when unchanged.
            "cache-control": "no-cache",
            "etag": self.etag,
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
        }


@cache
def asset(path: str) -> Asset:
    """The file served at `path` (one of ASSETS), read once per process."""
    name, content_type = ASSETS[path]
    body = resources.files(__name__).joinpath(name).read_bytes()
    return Asset(body, content_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
