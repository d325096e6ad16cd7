"""Protocols and port ranges, normalised the way each cloud reads them."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Any, Callable, NamedTuple, Optional

from .values import MISSING, UNKNOWN, as_int, is_unknown, known

ALL_PORTS = (0, 65535)

_NAMES = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp",
          "icmpv6": "icmpv6", "58": "icmpv6", "-1": "all", "all": "all", "any": "all", "*": "all",
          "sctp": "sctp", "132": "sctp"}


FAST_PROTOCOLS = {"tcp": "tcp", "-1": "all", "6": "tcp", "TCP": "tcp", "udp": "udp", "icmp": "icmp", "all": "all"}


def protocol(value: Any) -> Any:
    """'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'all' | 'proto-N' | UNKNOWN | None (unreadable)."""
    if type(value) is str:
        found = _NAMES.get(value)
        if found is not None:
            return found
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
    found = _NAMES.get(text)
    if found is not None:
        return found
    if text.isascii() and text.isdigit():
        return f"proto-{int(text)}"
    return None


class Span(NamedTuple):
    """The ports a way in opens. `assumed` says we fell back to all ports (fail closed);
    `only` lists exact ports where a form opens a set rather than a range."""

    low: int
    high: int
    unknown: bool = False
    assumed: str = ""
    only: tuple[int, ...] = ()

    def covers(self, ports: tuple[int, ...]) -> tuple[int, ...]:
        """The listed ports (sorted) inside this span."""
        if self.only:
            return tuple(p for p in self.only if p in ports)
        if self.low <= ports[0] and self.high >= ports[-1]:
            return ports
        return ports[bisect_left(ports, self.low):bisect_right(ports, self.high)]

    def text(self) -> str:
        if self.only:
            return ("port " if len(self.only) == 1 else "ports ") + ", ".join(map(str, self.only))
        if self.high - self.low >= 65534:
            return "all ports"
        return f"port {self.low}" if self.low == self.high else f"ports {self.low}-{self.high}"


NONE = Span(1, 0)
EVERY = Span(*ALL_PORTS)
UNKNOWN_SPAN = Span(*ALL_PORTS, unknown=True)


def assumed(why: str) -> Span:
    return Span(*ALL_PORTS, assumed=why)


def kafka_protocol(value: Any) -> Any:
    """A firewall rule's protocol read fail-closed: 'tcp', 'all', UNKNOWN, or 'unreadable' (judged as every
    port); None only for a protocol that cannot carry Kafka (udp, icmp, …)."""
    kind = protocol(known(value))
    if kind is None:
        return "unreadable"
    return kind if kind in ("tcp", "all") or kind is UNKNOWN else None


def protocol_span(kind: Any, raw: Any, ports: Callable[[], Span]) -> Span:
    """The span for a rule's `kafka_protocol`: unknown, every port when unreadable or all, else `ports()`."""
    if kind is UNKNOWN:
        return UNKNOWN_SPAN
    if kind == "unreadable":
        return assumed(f"the protocol {known(raw)!r} cannot be read")
    return EVERY if kind == "all" else ports()

def unreadable_port(value: Any, names: bool = False, absent: str = "") -> Optional[Span]:
    """Every port, assumed, for a port field that holds something that is no port: not a number in range,
    not unknown, and (where `names`, as for a Kubernetes targetPort) not a port's name. An absent field is
    None, or every port assumed for the reason `absent` where the API requires the field."""
    if value is None or value is MISSING:
        return assumed(absent) if absent else None
    if is_unknown(value):
        return None
    number = as_int(value)
    if isinstance(number, int) and 0 <= number <= 65535:
        return None
    if names and number is None and isinstance(value, str) and value.strip():
        return None
    return assumed(f"the port {value!r} cannot be read")


def exactly(*ports: int) -> Span:
    ordered = tuple(sorted(set(ports)))
    return Span(ordered[0], ordered[-1], only=ordered) if ordered else NONE


@lru_cache(maxsize=8192)
def port_range(low: int, high: int) -> Span:
    """Spans are immutable and port ranges repeat across an estate: one object per range."""
    return Span(low, high)


def span(proto: Any, from_port: Any, to_port: Any) -> Span:
    """Ports reachable over TCP, EC2 style. All-traffic rules cover every port whatever from/to
    say; unreadable input is assumed to open everything (fail closed) and says so."""
    if proto is UNKNOWN:
        return UNKNOWN_SPAN
    if proto is None:
        return assumed("the protocol cannot be read")
    if proto == "all":
        return EVERY
    if proto != "tcp":
        return NONE
    if type(from_port) is int and type(to_port) is int and 0 <= from_port <= to_port <= 65535:
        return port_range(from_port, to_port)
    low, high = as_int(from_port), as_int(to_port)
    if low is UNKNOWN or high is UNKNOWN:
        return UNKNOWN_SPAN
    if low is None and high is None:
        return assumed("no port range is given")
    if low is None or high is None:
        known = low if low is not None else high
        if known == -1:
            return EVERY
        return assumed("the port range is incomplete or unreadable")
    if low == -1 or high == -1:
        return EVERY
    if low > high or low < 0 or high > 65535:
        return assumed(f"the port range {low}-{high} is invalid")
    return Span(low, high)


def port_text(value: Any) -> Span:
    """A port as other firewalls write it: 9092, "9092", "9000-9999", "*", "any", "all",
    "1:65535", "9092/9092". UNKNOWN_SPAN for unknowns, an assumed-all span for text that cannot be read."""
    if is_unknown(value):
        return UNKNOWN_SPAN
    if isinstance(value, bool) or value is None:
        return assumed(f"the port {value!r} cannot be read")
    number = as_int(value)
    if isinstance(number, int):
        return Span(number, number) if 0 <= number <= 65535 else assumed(f"the port {value!r} is invalid")
    if not isinstance(value, str):
        return assumed(f"the port {value!r} cannot be read")
    text = value.strip().lower()
    if text in ("*", "any", "all", ""):
        return EVERY
    for sep in ("-", ":", "/"):  # 9000-9999 (most), 9000:9999 (Vultr, iptables), 9092/9092 (Alibaba)
        if sep in text:
            low_text, _, high_text = text.partition(sep)
            low, high = as_int(low_text), as_int(high_text)
            if isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 65535:
                return Span(low, high)
    return assumed(f"the port {value!r} cannot be read")
