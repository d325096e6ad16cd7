"""Raw wire probes against the real servers, with outcomes told apart: an answer, a TLS alert from
the server (named), the connection closed by the server, or nothing before the timeout.

A refusal is asserted by its kind (a named alert, a close), never by "anything went wrong": a
server that hangs gives TIMEOUT, which no test accepts as a refusal. Each probe has a positive
control in the tests, so a probe that could never succeed would fail.
"""
from __future__ import annotations

import os
import socket
import ssl
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

HOST = "127.0.0.1"
CORRELATION = 0x5EC0
TIMEOUT = 8.0


@dataclass(frozen=True)
class Outcome:
    kind: str  # "answer", "alert", "closed", "timeout", "unreachable"
    detail: str = ""
    data: bytes = b""

    @property
    def refused(self) -> bool:
        """The server said no: a TLS alert, or it closed the connection without answering."""
        return self.kind in ("alert", "closed")

    def __str__(self) -> str:
        return f"{self.kind}({self.detail or self.data[:40]!r})"


def api_versions_request() -> bytes:
    """Kafka ApiVersions v0: every Kafka broker answers it before authentication."""
    client = b"probe"
    body = struct.pack(">hhih", 18, 0, CORRELATION, len(client)) + client
    return struct.pack(">i", len(body)) + body


def zookeeper_connect_request() -> bytes:
    """A plaintext ZooKeeper client's first message (ConnectRequest): a real client's opening, long
    enough for a TLS server to see that it is not TLS (a 4-byte `ruok` is not)."""
    body = struct.pack(">iqiqi", 0, 0, 30000, 0, 16) + b"\x00" * 16
    return struct.pack(">i", len(body)) + body


def is_kafka_answer(data: bytes) -> bool:
    return len(data) >= 8 and struct.unpack(">i", data[4:8])[0] == CORRELATION


def _alert(error: ssl.SSLError) -> Outcome:
    return Outcome("alert", error.reason or str(error))


def _read(sock: socket.socket) -> Outcome:
    """The first answer, or how the server ended the exchange."""
    chunks = []
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
            if len(b"".join(chunks)) >= 8:
                break
    except ssl.SSLError as error:
        if chunks:
            return Outcome("answer", data=b"".join(chunks))
        return _alert(error)
    except socket.timeout:
        return Outcome("answer", data=b"".join(chunks)) if chunks else Outcome("timeout")
    except (ConnectionResetError, BrokenPipeError) as error:
        return Outcome("answer", data=b"".join(chunks)) if chunks else Outcome("closed", type(error).__name__)
    data = b"".join(chunks)
    return Outcome("answer", data=data) if data else Outcome("closed", "EOF")


ALERTS = {10: "unexpected_message", 40: "handshake_failure", 70: "protocol_version", 80: "internal_error"}


def plaintext(port: int, payload: bytes) -> Outcome:
    """Plain bytes to a port. A TLS server answers with a TLS alert record (content type 21), which
    is told apart from an answer of the protocol itself."""
    try:
        sock = socket.create_connection((HOST, port), timeout=TIMEOUT)
    except ConnectionRefusedError:
        return Outcome("unreachable", "connection refused")
    with sock:
        try:
            sock.sendall(payload)
        except (ConnectionResetError, BrokenPipeError) as error:
            return Outcome("closed", type(error).__name__)
        outcome = _read(sock)
    data = outcome.data
    if outcome.kind == "answer" and len(data) >= 7 and data[0] == 21 and data[1] == 3:
        return Outcome("alert", f"TLS alert record: {ALERTS.get(data[6], data[6])}", data)
    return outcome


def tls(port: int, payload: bytes, ca: Path, cert: Optional[Path] = None, key: Optional[Path] = None, *,
        version: Optional[ssl.TLSVersion] = None, ciphers: Optional[str] = None,
        server_hostname: str = HOST, check_hostname: bool = True) -> Outcome:
    """Send `payload` over TLS (optionally pinned to one protocol version or cipher list)."""
    def exchange(sock: ssl.SSLSocket) -> Outcome:
        try:
            sock.sendall(payload)
        except ssl.SSLError as error:
            return _alert(error)
        except (ConnectionResetError, BrokenPipeError) as error:
            return Outcome("closed", type(error).__name__)
        return _read(sock)
    return _session(port, _context(ca, cert, key, version, ciphers, check_hostname), server_hostname, exchange)


def handshake(port: int, ca: Path, cert: Optional[Path] = None, key: Optional[Path] = None, *,
              version: Optional[ssl.TLSVersion] = None, ciphers: Optional[str] = None) -> Outcome:
    """Only the TLS handshake: Outcome("handshake", "<version> <cipher>") when it completes."""
    return _session(port, _context(ca, cert, key, version, ciphers), HOST,
                    lambda sock: Outcome("handshake", f"{sock.version()} {sock.cipher()[0]}"))


def _session(port: int, context: ssl.SSLContext, server_hostname: str,
             then: "Callable[[ssl.SSLSocket], Outcome]") -> Outcome:
    """Connect, shake hands (outcomes of a failed handshake told apart), then `then(socket)`."""
    try:
        raw = socket.create_connection((HOST, port), timeout=TIMEOUT)
    except ConnectionRefusedError:
        return Outcome("unreachable", "connection refused")
    with raw:
        try:
            sock = context.wrap_socket(raw, server_hostname=server_hostname)
        except ssl.SSLCertVerificationError as error:  # we refused the server, not the other way round
            return Outcome("client-rejected", error.verify_message or str(error))
        except ssl.SSLError as error:
            return _alert(error)
        except socket.timeout:
            return Outcome("timeout", "handshake")
        except (ConnectionResetError, BrokenPipeError) as error:
            return Outcome("closed", type(error).__name__)
        with sock:
            return then(sock)


def _context(ca: Path, cert: Optional[Path], key: Optional[Path], version: Optional[ssl.TLSVersion],
             ciphers: Optional[str], check_hostname: bool = True) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(ca))
    context.check_hostname = check_hostname
    if cert:
        context.load_cert_chain(str(cert), str(key))
    if version is not None:
        with warnings.catch_warnings():  # deprecated on purpose: the server has to refuse them
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let OpenSSL offer the old protocol at all
    if ciphers is not None:
        context.set_ciphers(ciphers)
    return context


def listening(pid: int) -> set[tuple[str, int]]:
    """Every TCP socket the process `pid` listens on, as (address, port), read from /proc: the
    inodes of its file descriptors matched against the kernel's socket tables."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            found.add((_address(address, family), int(port, 16)))
    return found


def _address(hex_address: str, family: int) -> str:
    raw = bytes.fromhex(hex_address)
    if family == socket.AF_INET:
        return socket.inet_ntop(family, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(family, words)
