"""Loopback endpoints that fail the way networks do: nothing listening, a full accept queue,
a server that never answers, and one that trickles its body a few bytes at a time."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def closed_port() -> int:
    """A loopback port nobody listens on (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def full_accept_queue() -> Iterator[int]:
    """A port whose listen queue is full and never drained: the kernel drops new SYNs, so a
    client's connect times out, as with a firewall that drops packets."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):  # Linux queues backlog + 1 connections; the rest wait for nothing
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


class _Server:
    """Accepts connections on a loopback port and hands each to `serve` in a thread."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)  # accept() wakes up to notice stop()
        self.port = self._listener.getsockname()[1]
        self.stopping = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/archive"

    def __enter__(self) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self.connections += 1
            threading.Thread(target=self._serve_and_close, args=(conn,), daemon=True).start()

    def _serve_and_close(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.serve(conn)
            except OSError:  # the client hung up: what these servers exist to provoke
                pass

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


class SilentServer(_Server):
    """Reads the request and never answers."""

    def serve(self, conn: socket.socket) -> None:
        conn.recv(65536)
        self.stopping.wait()


class TrickleServer(_Server):
    """Answers 200 with a `body_bytes` JSON body, sent `piece` bytes every `every` seconds.
    `bytes_sent` and `client_hung_up` tell whether the client gave up before the end."""

    def __init__(self, *, body_bytes: int = 4096, piece: int = 16, every: float = 0.2) -> None:
        super().__init__()
        self.body_bytes, self.piece, self.every = body_bytes, piece, every
        self.bytes_sent = 0
        self.client_hung_up = threading.Event()

    def serve(self, conn: socket.socket) -> None:
        conn.recv(65536)
        body = b"[" + b" " * (self.body_bytes - 2) + b"]"
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n")
        try:
            for start in range(0, len(body), self.piece):
                if self.stopping.wait(self.every):
                    return
                conn.sendall(body[start : start + self.piece])
                self.bytes_sent += len(body[start : start + self.piece])
        except OSError:
            self.client_hung_up.set()
            raise
        # The whole body went out; a client that closed without reading it all shows up as
        # an empty read (EOF) here.
        if not conn.recv(1):
            self.client_hung_up.set()


class HeaderTrickleServer(_Server):
    """Answers 200, but sends its status line and headers one byte every `every` seconds
    (an answer whose every byte resets a read timeout). `bytes_sent` of `head_bytes` tells
    whether the client gave up before the headers were complete."""

    HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Padding: " + b"." * 400 + b"\r\n\r\n"

    def __init__(self, *, every: float = 0.2) -> None:
        super().__init__()
        self.every = every
        self.head_bytes = len(self.HEAD)
        self.bytes_sent = 0

    def serve(self, conn: socket.socket) -> None:
        conn.recv(65536)
        for start in range(self.head_bytes):
            if self.stopping.wait(self.every):
                return
            conn.sendall(self.HEAD[start : start + 1])
            self.bytes_sent += 1
