"""A tiny HTTP server standing in for an app's webhook handler: it records every POST and answers with the
statuses it is given, in order (then 200)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)
    received: queue.Queue[Delivery] = field(default_factory=queue.Queue)

    def next(self, timeout: float = 20.0) -> Delivery:
        """The next delivery, waiting for it (a delivery the scheduler makes on another thread)."""
        return self.received.get(timeout=timeout)

    def drain(self) -> list[Delivery]:
        found = []
        while not self.received.empty():
            found.append(self.received.get_nowait())
        return found


@contextmanager
def webhook_receiver(path: str = "/webhooks/openai") -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            receiver.received.put(Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
