"""A TCP proxy on loopback between two instances, which can drop a connection mid-transfer
or change bytes in flight: how interrupted and tampered transfers are made for real."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress


class Proxy:
    """Forwards 127.0.0.1:port to the upstream port.

    cut_on: drop the connection while relaying the response to the Nth request whose line
    contains `b"/objects/"` (after `cut_after` bytes of it have gone through; 0 drops the
    whole response, after the peer has done what was asked).
    cut_request_on: drop the connection while relaying the Nth such request itself, after
    `cut_request_after` bytes of it (a bundle cut off on its way to the peer).
    on_request: called with N and the request line before the Nth such request is relayed
    (a test stops or restarts a database there, mid-sync).
    tamper: (needle, replacement) of equal length, replaced in responses as they stream.
    tamper_requests: the same, in requests (a body changed in flight, its length kept).
    Every byte relayed is kept: `sent` (requests, one entry per connection) and `received`
    (responses), so a test can read what an eavesdropper on the wire would.
    """

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.cut_on: int | None = None
        self.cut_after = 600
        self.cut_request_on: int | None = None
        self.cut_request_after = 0
        self.on_request: Callable[[int, bytes], None] | None = None
        self.tamper: tuple[bytes, bytes] | None = None
        self.tamper_requests: tuple[bytes, bytes] | None = None
        self.sent: list[bytearray] = []
        self.received = bytearray()
        self.object_requests = 0
        self.cuts = 0
        self.tampered = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxii2/api/"

    @property
    def captured(self) -> bytes:
        """Everything that crossed the proxy, both ways."""
        with self._lock:
            return b"".join(bytes(b) for b in self.sent) + bytes(self.received)

    def close(self) -> None:
        self._closed = True
        with suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            state = {"cut": False}
            threading.Thread(
                target=self._requests, args=(client, server, state), daemon=True
            ).start()
            threading.Thread(
                target=self._responses, args=(server, client, state), daemon=True
            ).start()

    def _requests(
        self, client: socket.socket, server: socket.socket, state: dict[str, bool]
    ) -> None:
        record = bytearray()
        with self._lock:
            self.sent.append(record)
        room: int | None = None  # bytes left to relay of a request being cut off
        with suppress(OSError):
            while data := client.recv(65536):
                if self.tamper_requests and self.tamper_requests[0] in data:
                    data = data.replace(*self.tamper_requests)
                    with self._lock:
                        self.tampered += 1
                with self._lock:
                    record.extend(data)
                line = data.split(b"\r\n", 1)[0]
                if b"/objects/" in line:
                    with self._lock:
                        self.object_requests += 1
                        count = self.object_requests
                        if self.cut_on is not None and count == self.cut_on:
                            state["cut"] = True
                        if self.cut_request_on is not None and count == self.cut_request_on:
                            room = self.cut_request_after
                    if self.on_request is not None:
                        self.on_request(count, line)
                if room is not None:
                    server.sendall(data[:room])
                    room -= min(room, len(data))
                    if room == 0:
                        with self._lock:
                            self.cuts += 1
                        for sock in (client, server):
                            with suppress(OSError):
                                sock.shutdown(socket.SHUT_RDWR)
                        return
                    continue
                server.sendall(data)
        with suppress(OSError):
            server.shutdown(socket.SHUT_WR)

    def _responses(
        self, server: socket.socket, client: socket.socket, state: dict[str, bool]
    ) -> None:
        held = b""
        sent = 0
        with suppress(OSError):
            while data := server.recv(65536):
                with self._lock:
                    self.received.extend(data)
                if self.tamper:
                    needle, replacement = self.tamper
                    data = held + data
                    if needle in data:
                        self.tampered += data.count(needle)
                        data = data.replace(needle, replacement)
                    # Hold back only a tail that could begin a needle split across reads.
                    keep = next(
                        (k for k in range(len(needle) - 1, 0, -1) if data.endswith(needle[:k])), 0
                    )
                    data, held = data[: len(data) - keep], data[len(data) - keep :]
                if state["cut"]:
                    room = self.cut_after - sent
                    client.sendall(data[: max(room, 0)])
                    sent += len(data)
                    if sent >= self.cut_after:
                        self.cuts += 1
                        break
                else:
                    client.sendall(data)
            else:
                if held:
                    client.sendall(held)
        for sock in (client, server):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
