"""`secure-kafka versions`: the Kafka version table the components and the pack judge with.

Prints the table (the README's Markdown), judges one version (`--check 3.9.2 --mode zookeeper`), and
with `--as-of DATE` exits 1 when a row needs review; a date or version it cannot read is one line, exit 2 (a date in it passed since it was checked, or it
was last checked over 120 days before DATE) — run it on a schedule with today's date.
"""
from __future__ import annotations

import argparse
import datetime
import sys

from kafka_guardrails.versions import APACHE, MSK, REVIEWED, Table, judge, overdue

from ..model.errors import UsageError


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("versions", help="the Kafka version table: supported releases, end of support, known CVEs",
                       description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n  secure-kafka versions --as-of $(date +%F)\n"
                              "  secure-kafka versions --check 3.9.2 --mode zookeeper")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help=f"judge on this day (default: the table's review day, {REVIEWED})")
    p.add_argument("--check", default=None, metavar="VERSION", help="judge one version: exit 1 when it has risks")
    p.add_argument("--platform", choices=(APACHE, MSK), default=APACHE, help="with --check (default apache)")
    p.add_argument("--mode", choices=("zookeeper", "kraft"), default=None, help="with --check: the metadata mode")


def _day(text: str | None) -> datetime.date:
    if text is None:
        return REVIEWED
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r}: a date as YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    day = _day(args.as_of)
    if args.check is not None:
        verdict = judge(args.platform, args.check, day, mode=args.mode or "")
        if not verdict.known:  # bad input, not a verdict: one line, exit 2
            raise UsageError(f"--check {args.check!r}: not a {args.platform} version the table knows; "
                             f"nearest known: {verdict.nearest}")
        if verdict.ok:
            print(f"{args.platform} {args.check}: no known risk on {day}")
            return 0
        print(f"{args.platform} {args.check}: {verdict.explain()}")
        return 1
    print(Table().markdown(day))
    late = overdue(day)
    for item in late:
        print(f"secure-kafka: versions: {item.row} {item.what}: review it against its source", file=sys.stderr)
    return 1 if late else 0
