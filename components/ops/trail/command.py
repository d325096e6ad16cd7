"""`secure-kafka investigate`: answers from the broker and authorizer logs, as a table or as JSON lines
(plain, Elastic Common Schema, Splunk HEC). Every line read is accounted for: audit events, other log
lines, and audit lines no known form reads (counted, shown, and the run exits 1: the answer may be short).

Exit codes: 0 answered; 1 answered, but some audit lines could not be read; 2 bad input (a source that
cannot be read, no source, logs that are not Kafka's, a window the logs do not cover, no AWS credentials).
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import json
import sys
from pathlib import Path
from typing import Any, Iterator, Optional

from ...model.errors import UsageError
from .answers import Digest, Filters, Row, new_hosts
from .sources import Line, cloudwatch, files, s3

FORMATS = ("table", "jsonl", "ecs", "splunk")
RESULTS = ("allowed", "denied", "failed")


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("investigate", help="who touched which topic, from where: answers from the audit logs",
                       description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n"
                              "  secure-kafka investigate /var/log/kafka/kafka-authorizer.log* --principal User:orders\n"
                              "  secure-kafka investigate --cloudwatch-group /aws/msk/orders/broker --topic ledger "
                              "--operation READ --since 2026-12-01\n"
                              "  secure-kafka investigate logs/ --principal User:orders --new-hosts-since 2026-12-01")
    p.add_argument("paths", nargs="*", type=Path, help="log files or directories (plain or .gz)")
    p.add_argument("--cloudwatch-group", default=None, metavar="GROUP", help="a CloudWatch Logs group to read")
    p.add_argument("--stream-prefix", default=None, metavar="PREFIX", help="with --cloudwatch-group: only these streams")
    p.add_argument("--s3", default=None, metavar="s3://BUCKET/PREFIX", help="CloudWatch exports (or log files) in S3")
    p.add_argument("--region", default=None, help="AWS region (default: the environment's)")
    p.add_argument("--endpoint-url", default=None, help=argparse.SUPPRESS)
    p.add_argument("--since", default=None, metavar="TIME", help="from this UTC time (YYYY-MM-DD[THH:MM[:SS]])")
    p.add_argument("--until", default=None, metavar="TIME", help="before this UTC time")
    p.add_argument("--principal", default=None, help="only this principal (User:name)")
    p.add_argument("--topic", default=None, help="only this topic")
    p.add_argument("--host", default=None, help="only this client address")
    p.add_argument("--operation", default=None, help="only this operation (READ, WRITE, DESCRIBE, ALTER, ...)")
    p.add_argument("--result", choices=RESULTS, default=None, help="only allowed, denied or failed")
    p.add_argument("--new-hosts-since", default=None, metavar="TIME",
                   help="with --principal: the client addresses first seen on or after TIME")
    p.add_argument("--format", choices=FORMATS, default="table", help="table (default), jsonl, ecs or splunk")


def _when(text: Optional[str], flag: str) -> Optional[datetime.datetime]:
    if text is None:
        return None
    try:
        stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{flag} {text!r}: a UTC time as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]") from None
    return stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None) if stamp.tzinfo else stamp


def _paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return out


def _sources(args: argparse.Namespace, since: Optional[datetime.datetime],
             until: Optional[datetime.datetime]) -> Iterator[Line]:
    streams: list[Iterator[Line]] = []
    if args.paths:
        streams.append(files(_paths(args.paths)))
    if args.cloudwatch_group:
        streams.append(cloudwatch(args.cloudwatch_group, since, until, prefix=args.stream_prefix,
                                  region=args.region, endpoint_url=args.endpoint_url))
    if args.s3:
        if not args.s3.startswith("s3://") or len(args.s3) <= len("s3://"):
            raise UsageError(f"--s3 {args.s3!r}: s3://BUCKET/PREFIX")
        bucket, _, prefix = args.s3[len("s3://"):].partition("/")
        streams.append(s3(bucket, prefix, region=args.region, endpoint_url=args.endpoint_url))
    if not streams:
        raise UsageError("no logs to read: give files or directories, --cloudwatch-group or --s3")
    return itertools.chain.from_iterable(streams)


def _stamp(value: Optional[datetime.datetime]) -> Optional[str]:
    return None if value is None else value.isoformat(timespec="milliseconds") + "Z"


def plain(row: Row) -> dict[str, Any]:
    return {"principal": row.principal, "resource_type": row.resource_type, "resource": row.resource,
            "operation": row.operation, "client_address": row.host, "allowed": row.allowed, "denied": row.denied,
            "failed": row.failed, "first_seen": _stamp(row.first), "last_seen": _stamp(row.last),
            "requests": sorted(row.requests)}


def ecs(row: Row) -> Iterator[dict[str, Any]]:
    """One Elastic Common Schema document per outcome the row has (docs/investigate.md has the mapping)."""
    for outcome, count in (("success", row.allowed), ("failure", row.denied + row.failed)):
        if not count:
            continue
        yield {"@timestamp": _stamp(row.last), "event": {
            "kind": "event", "category": ["authentication"] if row.operation == "AUTHENTICATE" else ["iam"],
            "action": row.operation.lower(), "outcome": outcome, "start": _stamp(row.first), "end": _stamp(row.last),
            "provider": "kafka"}, "user": {"name": row.principal}, "source": {"ip": row.host},
            "kafka": {"resource": {"type": row.resource_type, "name": row.resource}, "count": count,
                      "requests": sorted(row.requests)}}


def splunk(row: Row) -> dict[str, Any]:
    """A Splunk HTTP Event Collector event: `time` in epoch seconds, the row as `event`."""
    last = row.last.replace(tzinfo=datetime.timezone.utc).timestamp() if row.last else None
    return {"time": last, "sourcetype": "secure-kafka:audit", "source": "secure-kafka investigate", "event": plain(row)}


def _table(rows: list[Row]) -> str:
    head = ("principal", "resource", "operation", "client address", "allowed", "denied", "failed", "first seen",
            "last seen")
    body = [(r.principal or "(unknown)", f"{r.resource_type}:{r.resource}" if r.resource_type else r.resource,
             r.operation, r.host, str(r.allowed), str(r.denied), str(r.failed), _stamp(r.first) or "-",
             _stamp(r.last) or "-") for r in rows]
    widths = [max(len(x) for x in column) for column in zip(head, *body)]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n"
                   for line in (head, *body))


def run(args: argparse.Namespace) -> int:
    since, until = _when(args.since, "--since"), _when(args.until, "--until")
    fresh = _when(args.new_hosts_since, "--new-hosts-since")
    if fresh is not None and not args.principal:
        raise UsageError("--new-hosts-since needs --principal: whose addresses?")
    filters = Filters(since, until, args.principal, args.topic, args.host, args.operation, args.result)
    digest = Digest(filters).read(_sources(args, since, until))
    if digest.events == 0 and digest.unreadable == 0:
        raise UsageError(f"none of the {digest.lines} lines read is a Kafka authorizer or broker audit line "
                         "(kafka-authorizer.log, server.log, MSK broker logs)")
    if digest.in_window == 0 and (since or until):
        raise UsageError(f"no audit event between {_stamp(since) or 'the start'} and {_stamp(until) or 'the end'}: "
                         f"the logs cover {_stamp(digest.earliest)} to {_stamp(digest.latest)}")
    rows = digest.sorted_rows()
    if fresh is not None:
        seen = dict(new_hosts(digest, args.principal, fresh))
        rows = [r for r in rows if r.host in seen]
    if args.format == "table":
        sys.stdout.write(_table(rows))
    else:
        for row in rows:
            for doc in (list(ecs(row)) if args.format == "ecs" else
                        [splunk(row) if args.format == "splunk" else plain(row)]):
                sys.stdout.write(json.dumps(doc, sort_keys=True) + "\n")
    sys.stderr.write(f"secure-kafka investigate: {digest.lines} lines read, {digest.events} audit events "
                     f"({digest.kept} match), {digest.unreadable} unreadable audit lines\n")
    for example in digest.unreadable_examples:
        sys.stderr.write(f"  unreadable: {example}\n")
    return 1 if digest.unreadable else 0
