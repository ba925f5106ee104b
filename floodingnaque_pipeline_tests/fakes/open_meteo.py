"""A real HTTP stand-in for Open-Meteo (and OpenWeatherMap current weather) on loopback.

    with FakeOpenMeteo() as fake:
        fake.inject("429", times=2, retry_after=1)
        requests.get(fake.archive_url, params=...)

Serves /v1/forecast, /v1/archive (Open-Meteo's JSON shape, a list for several coordinates),
/v1/ensemble and /previous-runs/v1/forecast (fakes/forecast_runs.py) and /data/2.5/weather
(OWM, 401 on a wrong appid). Faults apply to the next N requests of any endpoint
(after the first `after` ones, if given). With `required_apikey` set, Open-Meteo endpoints answer
401 unless `apikey=` matches, echoing the wrong key back as careless servers do.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from floodingnaque_pipeline_tests.fakes.forecast_runs import runs_payload
from floodingnaque_pipeline_tests.fakes.responses import (
    FakeApiError,
    _date_range,
    _floats,
    corrupt,
    open_meteo_payload,
    owm_payload,
)

# Ensemble API and Previous Runs API (the real ones live on their own hosts).
RUNS_PATHS = {"/v1/ensemble": "ensemble", "/previous-runs/v1/forecast": "previous_runs"}

FAULT_KINDS = ("429", "500", "slow", "malformed_json", "ragged", "nulls", "wrong_unit")
DEFAULT_OWM_KEY = "test-owm-key"
_JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class _Fault:
    kind: str
    remaining: int
    skip: int = 0
    options: dict[str, Any] = field(default_factory=dict)


class FakeOpenMeteo:
    def __init__(
        self,
        *,
        port: int = 0,
        owm_api_key: str = DEFAULT_OWM_KEY,
        retry_after: float | None = 1,
        slow_seconds: float = 2.0,
        today: date | None = None,
    ) -> None:
        self.owm_api_key = owm_api_key
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.today = today  # None: the real UTC date (forecast default window)
        self.required_apikey: str | None = None
        self.owm_now: datetime | None = None  # None: real time for OWM `dt`
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeOpenMeteo:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _make_handler(self))
        server.block_on_close = False  # idle keep-alive threads must not block stop()
        self._port = server.server_address[1]  # keep the port: restart binds the same one
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-open-meteo"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes "slow" handlers
        server.shutdown()
        server.server_close()
        with self._lock:
            for sock in list(self._sockets):  # drop pooled keep-alive connections too
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._sockets.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenMeteo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def forecast_url(self) -> str:
        return f"{self.base_url}/v1/forecast"

    @property
    def archive_url(self) -> str:
        return f"{self.base_url}/v1/archive"

    @property
    def ensemble_url(self) -> str:
        return f"{self.base_url}/v1/ensemble"

    @property
    def previous_runs_url(self) -> str:
        return f"{self.base_url}/previous-runs/v1/forecast"

    @property
    def owm_url(self) -> str:
        return f"{self.base_url}/data/2.5/weather"

    # -- faults and bookkeeping --------------------------------------------------------------
    def inject(self, kind: str, times: int = 1, *, after: int = 0, **options: Any) -> None:
        """Fault for the next `times` requests once `after` more have been served normally.
        Options: retry_after (429), seconds (slow), path (only requests to that path)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {FAULT_KINDS}")
        with self._lock:
            self._faults.append(_Fault(kind, times, after, options))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def _next_fault(self, path: str, params: dict[str, str]) -> _Fault | None:
        with self._lock:
            self.requests.append((path, params))
            # A fault with the `path` option waits for a request to that path only.
            matching = [f for f in self._faults if f.options.get("path", path) == path]
            if not matching:
                return None
            fault = matching[0]
            if fault.skip > 0:
                fault.skip -= 1
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault

    # -- request handling --------------------------------------------------------------------
    def _respond(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        fault = self._next_fault(path, params)
        kind = fault.kind if fault else None
        if kind == "429":
            retry_after = fault.options.get("retry_after", self.retry_after)
            headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
            reason = "Minutely API request limit exceeded. Please try again in one minute."
            return 429, headers, _json({"error": True, "reason": reason})
        if kind == "500":
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        if kind == "slow":
            self._stopping.wait(fault.options.get("seconds", self.slow_seconds))
        try:
            if path in ("/v1/forecast", "/v1/archive") and self.required_apikey is not None:
                given = params.get("apikey")
                if given != self.required_apikey:
                    raise FakeApiError(f"API key {given!r} is invalid or missing", 401)
            if path in ("/v1/forecast", "/v1/archive"):
                payload: Any = open_meteo_payload(path, params, self.today)
            elif path in RUNS_PATHS:
                lats, lons = _floats(params, "latitude"), _floats(params, "longitude")
                start, end = _date_range("/v1/forecast", params, self.today)
                payload = runs_payload(RUNS_PATHS[path], lats, lons, start, end, params)
            elif path == "/data/2.5/weather":
                payload = owm_payload(params, self.owm_api_key, self.owm_now)
            else:
                raise FakeApiError(f"Not found: {path}", 404)
        except Exception as exc:  # a bug in the fake must surface as a 500, not a dropped socket
            if not isinstance(exc, FakeApiError):
                return 500, {}, _json({"error": True, "reason": f"fake failed: {exc!r}"})
            if path.startswith("/data/"):
                return exc.status, {}, _json({"cod": exc.status, "message": exc.reason})
            return exc.status, {}, _json({"error": True, "reason": exc.reason})
        if kind in ("ragged", "nulls", "wrong_unit"):
            corrupt(payload, kind)
        body = _json(payload)
        if kind == "malformed_json":
            body = body[: max(1, len(body) // 2)]
        return 200, {}, body


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _make_handler(fake: FakeOpenMeteo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its proxy
        timeout = 30

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake._sockets.add(self.connection)

        def finish(self) -> None:
            with fake._lock:
                fake._sockets.discard(self.connection)
            try:
                super().finish()
            except OSError:
                pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            url = urlsplit(self.path)
            params = {
                k: ",".join(v) for k, v in parse_qs(url.query, keep_blank_values=True).items()
            }
            status, headers, body = fake._respond(url.path, params)
            try:
                self.send_response(status)
                for name, value in ({"Content-Type": _JSON_TYPE} | headers).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout test): nothing to answer
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
