"""Raw wire probes: does a port answer Kafka (or ZooKeeper) without TLS, or with bad certificates?

Each probe has a positive control in the tests, so a probe that could never succeed would fail.
"""
from __future__ import annotations

import socket
import ssl
import struct
from pathlib import Path
from typing import Optional

HOST = "127.0.0.1"
CORRELATION = 0x5EC0


def api_versions_request() -> bytes:
    """Kafka ApiVersions v0: every Kafka broker answers it before authentication."""
    client = b"probe"
    body = struct.pack(">hhih", 18, 0, CORRELATION, len(client)) + client
    return struct.pack(">i", len(body)) + body


def is_kafka_answer(data: bytes) -> bool:
    return len(data) >= 8 and struct.unpack(">i", data[4:8])[0] == CORRELATION


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(4096)
    except (ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
        return b""


def plaintext(port: int, payload: bytes) -> bytes:
    """b'' when the port refuses the connection or answers nothing."""
    try:
        with socket.create_connection((HOST, port), timeout=5) as sock:
            sock.sendall(payload)
            return _recv(sock)
    except OSError:
        return b""


def tls(port: int, payload: bytes, ca: Path, cert: Optional[Path] = None, key: Optional[Path] = None) -> bytes:
    """Send `payload` over TLS; b'' when the handshake or the first read is refused."""
    context = ssl.create_default_context(cafile=str(ca))
    if cert:
        context.load_cert_chain(str(cert), str(key))
    with socket.create_connection((HOST, port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname=HOST) as sock:
                sock.sendall(payload)
                return _recv(sock)
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError):
            return b""
