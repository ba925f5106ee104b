"""A loopback HTTP receiver for alert webhooks: records JSON bodies, answers scripted codes."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # every POST, delivered or answered with an error
        self.delivered: list[dict[str, Any]] = []  # the ones answered 2xx
        self.script: deque[int] = deque()  # status codes for the next requests; then 200
        self.keys: list[str | None] = []  # each POST's Idempotency-Key header, in arrival order
        self.delay_s = 0.0  # how long each answer takes (overlapping senders overlap here)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = receiver.script.popleft() if receiver.script else 200
                receiver.received.append(body)
                receiver.keys.append(self.headers.get("Idempotency-Key"))
                time.sleep(receiver.delay_s)
                if status < 300:
                    receiver.delivered.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
