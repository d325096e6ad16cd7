"""The questions an incident responder asks, answered in one pass over any number of lines: memory grows
with the distinct (principal, resource, operation, host) combinations, never with the lines."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from .lines import ALLOWED, DENIED, Event, Unreadable, parse


@dataclass(frozen=True)
class Filters:
    since: Optional[datetime.datetime] = None
    until: Optional[datetime.datetime] = None
    principal: Optional[str] = None
    topic: Optional[str] = None
    host: Optional[str] = None
    operation: Optional[str] = None
    result: Optional[str] = None

    def in_window(self, event: Event) -> bool:
        return event.time is None or not ((self.since and event.time < self.since) or
                                          (self.until and event.time >= self.until))

    def keep(self, event: Event) -> bool:
        if self.principal and event.principal != self.principal:
            return False
        if self.topic and (event.resource_type != "TOPIC" or event.resource != self.topic):
            return False
        if self.host and event.host != self.host:
            return False
        if self.operation and event.operation != self.operation.upper():
            return False
        return not (self.result and event.result != self.result.upper())


@dataclass(slots=True)
class Row:
    principal: str
    resource_type: str
    resource: str
    operation: str
    host: str
    allowed: int = 0
    denied: int = 0
    failed: int = 0
    first: Optional[datetime.datetime] = None
    last: Optional[datetime.datetime] = None
    requests: set[str] = field(default_factory=set)

    def add(self, event: Event) -> None:
        if event.result == ALLOWED:
            self.allowed += 1
        elif event.result == DENIED:
            self.denied += 1
        else:
            self.failed += 1
        if event.time is not None:
            self.first = event.time if self.first is None else min(self.first, event.time)
            self.last = event.time if self.last is None else max(self.last, event.time)
        if event.request:
            self.requests.add(event.request)


@dataclass
class Digest:
    """Rows by (principal, resource, operation, host), with the accounting of every line read."""

    filters: Filters = field(default_factory=Filters)
    rows: dict[tuple[str, str, str, str, str], Row] = field(default_factory=dict)
    lines: int = 0
    events: int = 0
    in_window: int = 0
    kept: int = 0
    unreadable: int = 0
    unreadable_examples: list[str] = field(default_factory=list)
    earliest: Optional[datetime.datetime] = None
    latest: Optional[datetime.datetime] = None

    def read(self, lines: Iterable[tuple[str, str]]) -> "Digest":
        for origin, line in lines:
            self.lines += 1
            parsed = parse(line)
            if parsed is None:
                continue
            if isinstance(parsed, Unreadable):
                self.unreadable += 1
                if len(self.unreadable_examples) < 5:
                    self.unreadable_examples.append(f"{origin}: {parsed[:300]}")
                continue
            self.events += 1
            if parsed.time is not None:
                self.earliest = parsed.time if self.earliest is None else min(self.earliest, parsed.time)
                self.latest = parsed.time if self.latest is None else max(self.latest, parsed.time)
            if not self.filters.in_window(parsed):
                continue
            self.in_window += 1
            if not self.filters.keep(parsed):
                continue
            self.kept += 1
            key = (parsed.principal, parsed.resource_type, parsed.resource, parsed.operation, parsed.host)
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = Row(*key)
            row.add(parsed)
        return self

    def sorted_rows(self) -> list[Row]:
        return sorted(self.rows.values(), key=lambda r: (r.principal, r.resource_type, r.resource, r.operation, r.host))


def new_hosts(digest: Digest, principal: str, since: datetime.datetime) -> Iterator[tuple[str, datetime.datetime]]:
    """The addresses `principal` was first seen from on or after `since` (the digest must hold all its history)."""
    first: dict[str, datetime.datetime] = {}
    for row in digest.rows.values():
        if row.principal == principal and row.first is not None:
            first[row.host] = min(first.get(row.host, row.first), row.first)
    for host, when in sorted(first.items(), key=lambda item: item[1]):
        if when >= since:
            yield host, when
