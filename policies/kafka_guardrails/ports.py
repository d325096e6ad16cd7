"""Protocols and port ranges, normalised the way EC2 reads them."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import NamedTuple
from typing import Any

from .values import UNKNOWN, as_int, is_unknown, unwrap

ALL_PORTS = (0, 65535)

_NAMES = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp",
          "icmpv6": "icmpv6", "58": "icmpv6", "-1": "all", "all": "all", "any": "all", "*": "all"}


def protocol(value: Any) -> Any:
    """'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'all' | 'proto-N' | UNKNOWN | None (unreadable)."""
    value = unwrap(value)
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _NAMES:
        return _NAMES[text]
    if text.isdigit():
        return f"proto-{int(text)}"
    return None


class Span(NamedTuple):
    """The ports an ingress entry opens. `assumed` says we fell back to all ports."""

    low: int
    high: int
    unknown: bool = False
    assumed: str = ""
    only: tuple[int, ...] = ()  # a Service port block opens exactly these

    def covers(self, ports: tuple[int, ...]) -> tuple[int, ...]:
        """The listed ports (sorted) inside this span."""
        if self.only:
            return tuple(p for p in ports if p in self.only)
        if self.low <= ports[0] and self.high >= ports[-1]:
            return ports
        return ports[bisect_left(ports, self.low):bisect_right(ports, self.high)]


_NONE = Span(1, 0)


def span(proto: Any, from_port: Any, to_port: Any) -> Span:
    """Ports reachable over TCP. All-traffic rules cover every port whatever from/to say;
    unreadable input is assumed to open everything (fail closed) and says so."""
    if proto is UNKNOWN:
        return Span(*ALL_PORTS, unknown=True)
    if proto is None:
        return Span(*ALL_PORTS, assumed="the protocol cannot be read")
    if proto == "all":
        return Span(*ALL_PORTS)
    if proto != "tcp":
        return _NONE
    low, high = as_int(from_port), as_int(to_port)
    if low is UNKNOWN or high is UNKNOWN:
        return Span(*ALL_PORTS, unknown=True)
    if low is None and high is None:
        return Span(*ALL_PORTS, assumed="no port range is given")
    if low is None or high is None:
        known = low if low is not None else high
        if known == -1:
            return Span(*ALL_PORTS)
        return Span(*ALL_PORTS, assumed="the port range is incomplete or unreadable")
    if low == -1 or high == -1:
        return Span(*ALL_PORTS)
    if low > high or low < 0 or high > 65535:
        return Span(*ALL_PORTS, assumed=f"the port range {low}-{high} is invalid")
    return Span(low, high)
