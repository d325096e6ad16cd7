"""`secure-kafka investigate` on a generated authorizer log, beside grep on the same file.

The log is built from the line forms Kafka 3.9.2 and 4.4.0 really write (tests/ops/fixtures), with
principals, topics, addresses and times varied so the digest has many distinct rows; 1 GiB by default.
Printed: the file size and lines, investigate's wall time, rate and peak memory (a process of its own),
and `grep -c` for the audit marker on the same file, with the ratio. Run:
  .venv/bin/python bench/investigate.py [--mib 1024] [--keep]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "ops" / "fixtures"


def generate(path: Path, mib: int, seed: int = 7) -> int:
    """Lines of the real forms for 300 service principals, each from its own address, on its own two of 200
    topics, at times across a month; returns the count of lines."""
    forms = [line for f in sorted(FIXTURES.glob("*.log")) for line in f.read_text().splitlines(keepends=True)]
    rng = random.Random(seed)
    target, written, count = mib * 1024 * 1024, 0, 0
    with open(path, "w") as out:
        while written < target:
            chunk = []
            for _ in range(10000):
                who = rng.randrange(300)
                topic = f"topic-{(who * 7 + rng.randrange(2)) % 200}"
                line = (rng.choice(forms).replace("reader2821", f"svc{who}").replace("reader66cc", f"svc{who}")
                        .replace("ledger-74608f", topic).replace("ledger-471662", topic)
                        .replace("127.0.0.1", f"10.{who % 4}.{who % 8}.{who % 250}"))
                stamp = f"[2026-12-{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:" \
                        f"{rng.randrange(60):02d}"
                chunk.append(stamp + line[20:])
            text = "".join(chunk)
            out.write(text)
            written += len(text)
            count += len(chunk)
    return count


# Runs one command and prints its peak RSS (KiB) last on stderr: each measurement in a fresh parent.
_PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, text=True,"
         " stdout=subprocess.PIPE); sys.stderr.write(done.stderr); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def timed(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, the command's peak RSS in KiB, the last line it wrote to stderr. Its output goes to a
    pipe: GNU grep stops at the first match when its output is /dev/null."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    return wall, int(lines[-1]), (lines[-2] if len(lines) > 1 else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="investigate-bench-"))
    try:
        for mib in (max(1, args.mib // 8), args.mib):  # the same rows at 1/8 and at full size: memory must not grow
            log = work / f"kafka-authorizer-{mib}.log"
            began = time.perf_counter()
            lines = generate(log, mib)
            size = log.stat().st_size
            print(f"{size / 2**20:,.0f} MiB, {lines:,} lines (generated in {time.perf_counter() - began:.1f}s)")
            grep_wall, grep_kib, _ = timed(["grep", "-c", "Principal = ", str(log)])
            ours_wall, ours_kib, said = timed([sys.executable, "-m", "secure_kafka.cli", "investigate", str(log),
                                               "--format", "jsonl"])
            print(f"  grep -c 'Principal = '    {grep_wall:7.1f}s  {size / 2**20 / grep_wall:7.0f} MiB/s  "
                  f"peak RSS {grep_kib / 1024:5.0f} MiB")
            print(f"  secure-kafka investigate  {ours_wall:7.1f}s  {size / 2**20 / ours_wall:7.0f} MiB/s  "
                  f"peak RSS {ours_kib / 1024:5.0f} MiB  ({lines / ours_wall:,.0f} lines/s)")
            print(f"  investigate / grep: {ours_wall / grep_wall:.1f}x the time; {said}")
            if not args.keep:
                log.unlink()
    finally:
        if not args.keep:
            for leftover in work.iterdir():
                leftover.unlink()
            work.rmdir()


if __name__ == "__main__":
    main()
