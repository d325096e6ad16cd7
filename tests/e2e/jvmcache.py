"""Class-data sharing (AppCDS) for the JVMs the real-server tests start, for start-up time only.

Why: the suite starts a few hundred JVMs (brokers, controllers, ZooKeeper, Kafka's tools) on 2 cores;
loading and verifying Kafka's ~7,000 classes is a third of a broker's start (measured: 4.3 -> 3.1
CPU-seconds, 3.8 -> 2.7 s to "started"). Nothing a test claims depends on it: the JVM maps the
archive only when the classpath it was dumped for is a prefix of the one it runs (and the jars are
unchanged), and silently loads classes the usual way otherwise.

How: the first broker started on a Kafka runtime writes the classes it loads
(`-XX:DumpLoadedClassList`); the first JVM launched on that runtime after the list holds a broker's
start turns it into an archive in .cache/cds/ (`java -Xshare:dump`, a few seconds once), which it
and every later JVM on that runtime (or on it plus a jar: the controllers' policy jar, Kafka's
tools) maps.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from pathlib import Path
from typing import Optional

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "cds"
_RUNTIMES: set[str] = set()  # the Kafka runtimes' classpaths (kafka_classpath registers them)
_LISTING: set[str] = set()  # runtimes whose class list a running JVM is writing
_FLAGS = ("-XX:SharedArchiveFile=", "-XX:DumpLoadedClassList=")
MIN_CLASSES = 5000  # a started broker has loaded 6,500-7,000 (3.9.2)
_JAVA: list[str] = []


def register(classpath: str) -> None:
    _RUNTIMES.add(classpath)


def _runtime(classpath: str) -> Optional[str]:
    found = [r for r in _RUNTIMES if classpath == r or classpath.startswith(r + ":")]
    return max(found, key=len) if found else None


def _java_version() -> str:
    if not _JAVA:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60)
        _JAVA.append(done.stderr)
    return _JAVA[0]


def archive(runtime: str) -> Path:
    key = hashlib.sha256(f"{_java_version()}\n{runtime}".encode()).hexdigest()[:20]
    return CACHE / f"{key}.jsa"


def flags(classpath: str) -> list[str]:
    """The JVM options that map the archive of this classpath's runtime (made now from a class list
    long enough to hold a broker's start), or none."""
    runtime = _runtime(classpath)
    if runtime is None:
        return []
    shared = archive(runtime)
    if not shared.exists():
        _dump(runtime, shared)
    return [f"-XX:SharedArchiveFile={shared}"] if shared.exists() else []


def launch(command: list[str], may_list: bool = True) -> list[str]:
    """The command to start, with its runtime's archive when there is one; else, for the first broker
    on a runtime (`may_list`), with the class list to write."""
    command = [a for a in command if not a.startswith(_FLAGS)]
    if command[0] != "java" or "-cp" not in command:
        return command
    classpath = command[command.index("-cp") + 1]
    mapped = flags(classpath)
    if mapped:
        return [command[0], *mapped, *command[1:]]
    runtime = _runtime(classpath)
    if runtime is None or not may_list or "kafka.Kafka" not in command or runtime in _LISTING:
        return command
    _LISTING.add(runtime)
    CACHE.mkdir(parents=True, exist_ok=True)
    listing = CACHE / f"{archive(runtime).stem}.{uuid.uuid4().hex[:8]}.classlist"
    return [command[0], f"-XX:DumpLoadedClassList={listing}", *command[1:]]


def _dump(runtime: str, shared: Path) -> None:
    """`java -Xshare:dump` from a copy of the runtime's longest class list, once it holds a broker's
    start (the JVM writes it a class per line as it loads them, running or not); a failed dump leaves
    no archive, and the JVMs load classes the usual way."""
    lists = sorted(CACHE.glob(f"{shared.stem}.*.classlist"), key=lambda p: p.stat().st_size, reverse=True)
    if not lists:
        return
    text = lists[0].read_text(errors="replace")
    if text.count("\n") < MIN_CLASSES:
        return
    snapshot = shared.with_suffix(f".{uuid.uuid4().hex[:8]}.snapshot")
    partial = shared.with_suffix(f".{uuid.uuid4().hex[:8]}.partial")
    try:
        snapshot.write_text(text[:text.rfind("\n") + 1])
        done = subprocess.run(["java", "-Xshare:dump", f"-XX:SharedClassListFile={snapshot}",
                               f"-XX:SharedArchiveFile={partial}", "-cp", runtime],
                              capture_output=True, text=True, timeout=300)
        if done.returncode == 0 and partial.exists():
            os.replace(partial, shared)
            for listing in lists:
                listing.unlink(missing_ok=True)
    finally:
        snapshot.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def shared(command: list[str]) -> list[str]:
    """A tool's command, with its runtime's archive when there is one."""
    return launch(command, may_list=False)
