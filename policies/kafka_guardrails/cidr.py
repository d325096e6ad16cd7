"""Deciding whether a set of source prefixes reaches the internet.

Exposure is about reachability, not strings: every spelling of a prefix is parsed,
sources are unioned, non-routable space is removed, and what is left is judged by
its breadth. The special-purpose tables are our own (not `ipaddress.is_global`) so
verdicts do not move with the Python version.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# Address space that is never reachable from the internet as a source.
_NON_GLOBAL_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)
_NON_GLOBAL_V6 = (
    "::/128", "::1/128", "::ffff:0:0/96", "100::/64", "2001:db8::/32", "fc00::/7",
    "fe80::/10", "ff00::/8",
)

WORLD_V4 = ipaddress.ip_network("0.0.0.0/0")
WORLD_V6 = ipaddress.ip_network("::/0")


def _subtract(net: Network, holes: Iterable[Network]) -> tuple[Network, ...]:
    """`net` with every hole cut out, as the prefixes that remain."""
    pieces = [net]
    for hole in holes:
        next_round: list[Network] = []
        for block in pieces:
            if block.overlaps(hole):
                if not hole.supernet_of(block):
                    next_round.extend(block.address_exclude(hole))
            else:
                next_round.append(block)
        pieces = next_round
        if not pieces:
            break
    return tuple(sorted(pieces))


_RESERVED = {
    4: tuple(ipaddress.ip_network(t) for t in _NON_GLOBAL_V4),
    6: tuple(ipaddress.ip_network(t) for t in _NON_GLOBAL_V6),
}

GLOBAL_V4 = _subtract(WORLD_V4, _RESERVED[4])
GLOBAL_V6 = _subtract(WORLD_V6, _RESERVED[6])


@lru_cache(maxsize=65536)
def parse(text: str) -> Optional[Network]:
    """A network for any valid spelling, None when the text is not a prefix."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:  # a bare address reads as a /32 or /128, as AWS and Kubernetes treat it
        return ipaddress.ip_network(cleaned, strict=False)
    except ValueError:
        return None


@dataclass(frozen=True)
class Reach:
    """Why a set of prefixes is public: the union covers the world, or a broad global block."""

    public: bool
    reason: str = ""
    widest: str = ""


_PRIVATE = Reach(False)


_RESERVED_INTS = {
    version: tuple((int(h.network_address), int(h.broadcast_address)) for h in holes)
    for version, holes in _RESERVED.items()
}


def touches_internet(net: Network) -> bool:
    """True unless the prefix lies wholly inside non-global space (integer compares: hot path)."""
    first, last = int(net.network_address), int(net.broadcast_address)
    for low, high in _RESERVED_INTS[net.version]:
        if low <= first and last <= high:
            return False
    return True


@lru_cache(maxsize=65536)
def global_part(net: Network) -> tuple[Network, ...]:
    """`net` minus non-global space."""
    return _subtract(net, _RESERVED[net.version])


def _covers_all(union: list[Network], blocks: tuple[Network, ...]) -> bool:
    return all(any(block.subnet_of(net) for net in union) for block in blocks)


@lru_cache(maxsize=65536)
def reach(nets: frozenset, v4_bound: int, v6_bound: int) -> Reach:
    """Judge the union of `nets`; a global block of prefix length <= bound is public."""
    if not any(touches_internet(n) for n in nets):
        return _PRIVATE
    for version, world, blocks, bound in ((4, WORLD_V4, GLOBAL_V4, v4_bound),
                                          (6, WORLD_V6, GLOBAL_V6, v6_bound)):
        family = [n for n in nets if n.version == version]
        if not family:
            continue
        union = list(ipaddress.collapse_addresses(family))
        if world in union or _covers_all(union, blocks):
            return Reach(True, f"that covers the whole IPv{version} internet", str(world))
        widest: Optional[Network] = None
        for net in union:
            for piece in global_part(net):
                if widest is None or piece.prefixlen < widest.prefixlen:
                    widest = piece
        if widest is not None and widest.prefixlen <= bound:
            return Reach(True, f"they admit the internet-routable block {widest}, "
                               f"as wide as or wider than the /{bound} bound", str(widest))
    return _PRIVATE


@lru_cache(maxsize=65536)
def reach_texts(texts: tuple[str, ...], v4_bound: int, v6_bound: int) -> Reach:
    """`reach` keyed by the source strings, so repeated rules skip parsing and hashing."""
    nets = frozenset(n for n in map(parse, texts) if n is not None)
    return reach(nets, v4_bound, v6_bound)
