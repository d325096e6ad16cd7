"""Deciding whether a set of source prefixes reaches the internet.

Exposure is about reachability, not strings: every spelling of a prefix is parsed,
sources are unioned, non-routable space is removed, and what is left is judged by
its breadth. Prefixes are integer intervals (a `Net`), so the common case — a private
or single-host source — costs a split and a few compares. The special-purpose tables
are our own (not `ipaddress.is_global`) so verdicts do not move with the Python version.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, NamedTuple, Optional


class Net(NamedTuple):
    """A prefix as the interval of addresses it covers; `text` is how it was written."""

    version: int
    first: int
    last: int
    prefixlen: int
    text: str

    def __str__(self) -> str:
        return self.text


_BITS = {4: 32, 6: 128}

# Address space that is never reachable from the internet as a source.
_NON_GLOBAL = {
    4: ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
        "169.254.0.0/16", "0.0.0.0/8", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"),
    6: ("fc00::/7", "fe80::/10", "::/128", "::1/128", "::ffff:0:0/96", "100::/64",
        "2001:db8::/32", "ff00::/8"),
}
_RESERVED = {
    version: tuple(sorted((int(n.network_address), int(n.broadcast_address))
                          for n in map(ipaddress.ip_network, texts)))
    for version, texts in _NON_GLOBAL.items()
}
# Checked in the order written above: the common private ranges first.
_RESERVED_ORDER = {
    version: tuple((int(n.network_address), int(n.broadcast_address))
                   for n in map(ipaddress.ip_network, texts))
    for version, texts in _NON_GLOBAL.items()
}


def _complement(version: int) -> tuple[tuple[int, int], ...]:
    """The globally routable intervals of a family: the whole space minus the reserved."""
    out, cursor = [], 0
    for low, high in _RESERVED[version]:
        if low > cursor:
            out.append((cursor, low - 1))
        cursor = max(cursor, high + 1)
    top = (1 << _BITS[version]) - 1
    if cursor <= top:
        out.append((cursor, top))
    return tuple(out)


GLOBAL = {4: _complement(4), 6: _complement(6)}
WORLD = {4: "0.0.0.0/0", 6: "::/0"}


def _octet(part: str) -> int:
    if not part or len(part) > 3 or not part.isascii() or not part.isdigit() or (len(part) > 1 and part[0] == "0"):
        return -1
    return int(part)


def _fast_v4(text: str) -> Optional[Net]:
    """The canonical dotted form without the ipaddress module; None to take the slow path."""
    addr, slash, plen_text = text.partition("/")
    parts = addr.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        octet = _octet(part)
        if octet < 0 or octet > 255:
            return None
        value = (value << 8) | octet
    if slash:
        plen = _octet(plen_text) if len(plen_text) <= 2 else -1
        if plen < 0 or plen > 32:
            return None
    else:
        plen = 32
    size = 1 << (32 - plen)
    first = value & ~(size - 1) & 0xFFFFFFFF
    return Net(4, first, first + size - 1, plen, text)


@lru_cache(maxsize=65536)
def _slow(text: str) -> Optional[Net]:
    try:  # a bare address reads as a /32 or /128, as AWS and Kubernetes treat it
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return Net(net.version, int(net.network_address), int(net.broadcast_address), net.prefixlen, text)


def parse(text: str) -> Optional[Net]:
    """A prefix for any valid spelling, None when the text is not one (host bits are allowed)."""
    cleaned = text.strip()
    if not cleaned:
        return None
    return _fast_v4(cleaned) or _slow(cleaned)


_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:/(3[0-2]|[12]?\d))?")
_V4_PRIVATE = _RESERVED_ORDER[4]
_B172 = frozenset(str(n) for n in range(16, 32))


@lru_cache(maxsize=65536)
def classify(text: str) -> Any:
    """The hot path of every verdict: None for text that is not a prefix, False for a prefix that
    cannot reach the internet, else its Net. A plain dotted IPv4 prefix is read with one regular
    expression; every other spelling goes through `parse`."""
    found = _V4.fullmatch(text)
    if found is not None:
        a, b, c, d, plen_text = found.groups()
        plen = int(plen_text) if plen_text is not None else 32
        if plen >= 16 and (a == "10" or (a == "192" and b == "168") or (a == "172" and b in _B172)):
            return False  # the common private ranges, decided on the first two octets as written
        a, b = int(a), int(b)
        size = 1 << (32 - plen)
        first = ((a << 24) | (b << 16) | (int(c) << 8) | int(d)) & ~(size - 1) & 0xFFFFFFFF
        last = first + size - 1
        for low, high in _V4_PRIVATE:
            if low <= first and last <= high:
                return False
        return Net(4, first, last, plen, text)
    net = parse(text)
    if net is None:
        return None
    return net if touches_internet(net) else False


def touches_internet(net: Net) -> bool:
    """False when the prefix lies wholly inside non-global space."""
    first, last = net.first, net.last
    for low, high in _RESERVED_ORDER[net.version]:
        if low <= first and last <= high:
            return False
    return True


@dataclass(frozen=True)
class Reach:
    """Why a set of prefixes is public: the union covers the world, or a broad global block."""

    public: bool
    reason: str = ""
    widest: str = ""
    version: int = 0


PRIVATE = Reach(False)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    intervals.sort()
    merged: list[list[int]] = []
    for low, high in intervals:
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1][1] = high
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


def _minus_reserved(version: int, low: int, high: int) -> list[tuple[int, int]]:
    pieces = []
    for g_low, g_high in GLOBAL[version]:
        a, b = max(low, g_low), min(high, g_high)
        if a <= b:
            pieces.append((a, b))
    return pieces


def _widest_block(version: int, low: int, high: int) -> tuple[int, int]:
    """(prefix length, start) of the widest aligned CIDR block inside [low, high]."""
    bits = _BITS[version]
    for plen in range(max(0, bits - (high - low + 1).bit_length() + 1), bits + 1):
        size = 1 << (bits - plen)
        start = -(-low // size) * size
        if start + size - 1 <= high:
            return plen, start
    return bits, low  # unreachable for a non-empty interval


def _block_text(version: int, plen: int, start: int) -> str:
    address = ipaddress.IPv4Address(start) if version == 4 else ipaddress.IPv6Address(start)
    return f"{address}/{plen}"


_WHOLE = {4: Reach(True, "that covers the whole IPv4 internet", WORLD[4], 4),
          6: Reach(True, "that covers the whole IPv6 internet", WORLD[6], 6)}


def reach(nets: Iterable[Net], v4_bound: int, v6_bound: int) -> Reach:
    """Judge the union of `nets`; a global block of prefix length <= bound is public."""
    nets = [n for n in nets if touches_internet(n)]
    if not nets:
        return PRIVATE
    for net in nets:  # the common world-open source decides at once
        if net.prefixlen == 0 and (net.version == 4 or not any(n.version == 4 for n in nets)):
            return _WHOLE[net.version]
    for version, bound in ((4, v4_bound), (6, v6_bound)):
        family = [(n.first, n.last) for n in nets if n.version == version]
        if not family:
            continue
        union = _merge(family)
        if union == [(0, (1 << _BITS[version]) - 1)] or all(
                any(u_low <= g_low and g_high <= u_high for u_low, u_high in union)
                for g_low, g_high in GLOBAL[version]):
            return _WHOLE[version]
        widest: Optional[tuple[int, int]] = None
        for low, high in union:
            for piece_low, piece_high in _minus_reserved(version, low, high):
                block = _widest_block(version, piece_low, piece_high)
                if widest is None or block[0] < widest[0]:
                    widest = block
        if widest is not None and widest[0] <= bound:
            text = _block_text(version, *widest)
            return Reach(True, f"they admit the internet-routable block {text}, "
                               f"as wide as or wider than the /{bound} bound", text, version)
    return PRIVATE


def offending(nets: Iterable[Net], verdict: Reach) -> list[str]:
    """The written sources of the judged family that touch the internet (for messages and revokes)."""
    return [n.text for n in nets if n.version == verdict.version and touches_internet(n)]


CACHES = (_slow, classify)


def clear_caches() -> None:
    """Forget parsed spellings (benchmarks measure a first pass with nothing remembered)."""
    for cache in CACHES:
        cache.cache_clear()
