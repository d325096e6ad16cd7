"""Guarded rolling restarts: one node at a time, each only when the cluster can lose it.

A TCP probe says a broker listens, not that it replicates. The gate here is the one Kafka's own
durability rests on: before a broker goes down, no partition it is in sync for may drop below
`min.insync.replicas` without it; after it comes back, it must be in the ISR of every partition it
hosts again, with nothing under-replicated, before the next one goes. The judging is pure
(`ClusterState` in, reasons out); `roll()` drives it with any restart and any observer, so the same
gate serves the CLI, the Pulumi rollout command and the tests on real Kafka.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence


@dataclass(frozen=True)
class PartitionState:
    topic: str
    partition: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    min_isr: int
    leader: Optional[int] = None

    @property
    def name(self) -> str:
        return f"{self.topic}-{self.partition}"


@dataclass(frozen=True)
class ClusterState:
    """What the gate needs to know: the brokers that answer and every partition's replicas."""

    brokers: frozenset[int]
    partitions: tuple[PartitionState, ...]


def under_min_isr(state: ClusterState) -> list[PartitionState]:
    return [p for p in state.partitions if len(p.isr) < p.min_isr]


def under_replicated(state: ClusterState) -> list[PartitionState]:
    return [p for p in state.partitions if set(p.replicas) - set(p.isr)]


def _names(partitions: Sequence[PartitionState], limit: int = 5) -> str:
    shown = ", ".join(p.name for p in partitions[:limit])
    return shown + (f" and {len(partitions) - limit} more" if len(partitions) > limit else "")


def may_stop(state: ClusterState, node: int, expected: Optional[Sequence[int]] = None) -> list[str]:
    """Why stopping `node` now would hurt (empty: it may go). A whole cluster first; then no
    partition may fall under its min ISR without the node (acks=all writes would be refused)."""
    reasons = healthy(state, expected)
    fragile = [p for p in state.partitions if node in p.isr and len(p.isr) - 1 < p.min_isr]
    if fragile:
        reasons.append(f"without broker {node}, {len(fragile)} partition(s) fall under min.insync.replicas: "
                       f"{_names(fragile)}")
    return reasons


def healthy(state: ClusterState, expected: Optional[Sequence[int]] = None) -> list[str]:
    """Why the cluster is not whole (empty: every broker answers, every replica is in sync)."""
    reasons = []
    missing = sorted(set(expected or ()) - state.brokers)
    if missing:
        reasons.append(f"broker(s) {missing} not registered")
    lagging = under_replicated(state)
    if lagging:
        reasons.append(f"{len(lagging)} under-replicated partition(s): {_names(lagging)}")
    low = under_min_isr(state)
    if low:
        reasons.append(f"{len(low)} partition(s) under min.insync.replicas: {_names(low)}")
    return reasons


def back_in_sync(state: ClusterState, node: int, expected: Optional[Sequence[int]] = None) -> list[str]:
    """Why the restarted `node` does not count as back yet (empty: it does)."""
    out = [p for p in state.partitions if node in p.replicas and node not in p.isr]
    reasons = [f"broker {node} not yet in the ISR of {len(out)} partition(s): {_names(out)}"] if out else []
    return reasons + healthy(state, sorted({node, *(expected or ())}))


def roll_order(nodes: Sequence[int], last: Optional[int] = None) -> list[int]:
    """Every node once; `last` (the active controller, or the broker leading the most partitions)
    goes last, so leadership moves once instead of on every step."""
    ordered = sorted(set(nodes))
    if last in ordered:
        ordered.remove(last)
        ordered.append(last)
    return ordered


class RollRefused(RuntimeError):
    """A node may not be restarted, or did not come back: the roll stops where it is."""


@dataclass
class RollStep:
    node: int
    waited_before: float = 0.0
    back_after: float = 0.0
    samples: int = 0
    lowest_isr_margin: Optional[int] = None  # min over samples and partitions of len(isr) - min_isr


@dataclass
class RollReport:
    steps: list[RollStep] = field(default_factory=list)

    @property
    def lowest_isr_margin(self) -> Optional[int]:
        margins = [s.lowest_isr_margin for s in self.steps if s.lowest_isr_margin is not None]
        return min(margins) if margins else None


def _margin(state: Any) -> Optional[int]:
    if not isinstance(state, ClusterState):
        return None
    return min((len(p.isr) - p.min_isr for p in state.partitions), default=None)


def _wait(observe: Callable[[], Any], why_not: Callable[[Any], list[str]], timeout: float, interval: float,
          step: RollStep, what: str, clock: Callable[[], float], sleep: Callable[[float], None]) -> float:
    start = clock()
    reasons: list[str] = ["not observed yet"]
    while True:
        try:
            state = observe()
        except Exception as error:  # noqa: BLE001 - a node that is down may fail the query: wait
            reasons = [f"cluster not observable: {error}"]
        else:
            step.samples += 1
            margin = _margin(state)
            if margin is not None:
                step.lowest_isr_margin = margin if step.lowest_isr_margin is None else min(step.lowest_isr_margin,
                                                                                              margin)
            reasons = why_not(state)
            if not reasons:
                return clock() - start
        if clock() - start > timeout:
            raise RollRefused(f"{what}: still {'; '.join(reasons)} after {timeout:.0f}s")
        sleep(interval)


def _roll(nodes: Sequence[int], restart: Callable[[int], None], observe: Callable[[], Any],
          before: Callable[[Any, int], list[str]], after: Callable[[Any, int], list[str]], kind: str,
          timeout: float, interval: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> RollReport:
    report = RollReport()
    for node in nodes:
        step = RollStep(node)
        report.steps.append(step)
        step.waited_before = _wait(observe, lambda s: before(s, node), timeout, interval, step,
                                   f"{kind} {node} may not stop", clock, sleep)
        restart(node)
        step.back_after = _wait(observe, lambda s: after(s, node), timeout, interval, step,
                                f"{kind} {node} did not come back in sync", clock, sleep)
    return report


def roll(nodes: Sequence[int], restart: Callable[[int], None], observe: Callable[[], ClusterState], *,
         expected: Optional[Sequence[int]] = None, timeout: float = 900, interval: float = 2.0,
         clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> RollReport:
    """Restart brokers `nodes` in order, one at a time: each only once `may_stop` allows it, the
    next only once `back_in_sync` says the last one is back. `restart` returns once the node has
    stopped and started again. Stops with RollRefused, naming the reasons."""
    everyone = list(expected if expected is not None else nodes)
    return _roll(nodes, restart, observe, lambda s, n: may_stop(s, n, everyone),
                 lambda s, n: back_in_sync(s, n, everyone), "broker", timeout, interval, clock, sleep)


Judge = Callable[[Any], list[str]]


def _one_side(step: str, node: int, observe: Callable[[], Any], judges: Mapping[str, tuple[Judge, str]], kind: str,
              timeout: float, interval: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> RollStep:
    if step not in judges:
        raise ValueError(f"step {step!r}: before or after")
    judge, what = judges[step]
    record = RollStep(node)
    waited = _wait(observe, judge, timeout, interval, record, f"{kind} {node} {what}", clock, sleep)
    if step == "before":
        record.waited_before = waited
    else:
        record.back_after = waited
    return record


def controller_gate(step: str, node: int, quorum: Callable[[], Sequence["QuorumReplica"]], *,
                    timeout: float = 1800, interval: float = 5.0, clock: Callable[[], float] = time.monotonic,
                    sleep: Callable[[float], None] = time.sleep) -> RollStep:
    """`gate` for a KRaft controller: "before" waits until the quorum could lose any one voter
    (`quorum_ready`), "after" until controller `node` is a caught-up voter of a working majority
    (`controller_ready`, what the controller pods' readiness probe asks)."""
    judges = {"before": (lambda rows: quorum_ready(rows), "may not stop"),
              "after": (lambda rows: controller_ready(rows, node), "did not rejoin the quorum")}
    return _one_side(step, node, quorum, judges, "controller", timeout, interval, clock, sleep)


def gate(step: str, node: int, observe: Callable[[], ClusterState], expected: Sequence[int], *,
         timeout: float = 1800, interval: float = 5.0, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> RollStep:
    """One side of one step, for a deployment tool that restarts the node itself: "before" waits
    until `node` may stop, "after" until it is back in sync. RollRefused when the time is up."""
    judges = {"before": (lambda s: may_stop(s, node, expected), "may not stop"),
              "after": (lambda s: back_in_sync(s, node, expected), "did not come back in sync")}
    return _one_side(step, node, observe, judges, "broker", timeout, interval, clock, sleep)


def roll_controllers(nodes: Sequence[int], restart: Callable[[int], None],
                     replication: Callable[[], Sequence["QuorumReplica"]], *, max_lag: int = 100,
                     fresh_ms: int = 5000, timeout: float = 600, interval: float = 2.0,
                     clock: Callable[[], float] = time.monotonic,
                     sleep: Callable[[float], None] = time.sleep) -> RollReport:
    """Restart KRaft controllers one at a time: each only while the quorum has a leader and every
    voter fetches and is caught up (so a majority survives the restart), the next once that holds
    again with the restarted one among them."""
    def ready(rows: Sequence[QuorumReplica], node: int) -> list[str]:
        return quorum_ready(rows, max_lag, fresh_ms)

    return _roll(nodes, restart, replication, ready, ready, "controller", timeout, interval, clock, sleep)


# --- observing a real cluster (confluent-kafka, the `ops` extra) ------------------------------------
def worst_view(views: Sequence[ClusterState]) -> ClusterState:
    """The cluster as its least healthy view shows it. Each broker answers from its own metadata, which
    can lag: in a rollback to ZooKeeper, a broker still in migration mode keeps the ISR of the moment the
    KRaft controllers stopped (found on 3.9.2: it showed a full ISR while another broker was still
    catching up, and the next restart took 62 partitions under min ISR). So a broker counts as
    registered, and a replica as in sync, only when every view says so; a partition any view lacks is
    kept as the others show it."""
    if not views:
        raise ValueError("no view of the cluster")
    brokers = frozenset.intersection(*(v.brokers for v in views))
    merged: dict[tuple[str, int], PartitionState] = {}
    for view in views:
        for p in view.partitions:
            key = (p.topic, p.partition)
            seen = merged.get(key)
            if seen is None:
                merged[key] = p
                continue
            isr = tuple(r for r in seen.isr if r in p.isr)
            merged[key] = PartitionState(p.topic, p.partition, seen.replicas, isr, max(seen.min_isr, p.min_isr),
                                         seen.leader)
    return ClusterState(brokers, tuple(merged[k] for k in sorted(merged)))


def admin_observer(config: Mapping[str, Any], timeout: float = 10,
                   every: bool = True) -> Callable[[], ClusterState]:
    """An observer over Kafka's Admin API with a librdkafka client config (operator credentials): each
    bootstrap address is asked on its own, by a fresh client whose only connection is that broker, and
    the least healthy answer counts (`worst_view`). `every`: a broker that does not answer fails the
    observation (the gate then waits); otherwise the answering brokers' views count (for watching a
    roll, when one broker is down by design)."""
    try:
        from confluent_kafka.admin import AdminClient, ConfigResource  # type: ignore[attr-defined]
    except ImportError as missing:
        raise ModuleNotFoundError("the rolling gate needs confluent-kafka: pip install 'secure-kafka[ops]'") from missing

    from confluent_kafka import KafkaError

    addresses = [a.strip() for a in str(config.get("bootstrap.servers", "")).split(",") if a.strip()]
    if not addresses:
        raise ValueError("the observer needs bootstrap.servers: every broker's address")
    probe = f"secure-kafka-gate-probe-{time.time_ns()}"

    def sees_every_topic(client: Any) -> None:
        """Kafka lists only the topics a principal may describe: an identity without the rollout
        ACLs would see an empty, 'healthy' cluster. Asking for a topic that does not exist tells
        the two apart (unknown topic vs. authorization failed); auto-creation is off, so it stays absent."""
        found = client.list_topics(topic=probe, timeout=timeout).topics.get(probe)
        code = found.error.code() if found is not None and found.error is not None else None
        if code == KafkaError.TOPIC_AUTHORIZATION_FAILED:
            raise PermissionError("this identity may not describe every topic (the rollout ACLs are missing), "
                                  "so the ISR it sees would be incomplete")
        if code != KafkaError.UNKNOWN_TOPIC_OR_PART:
            raise RuntimeError(f"probing topic visibility gave {found.error if found is not None else 'nothing'}")

    def view(address: str, min_isr: dict[str, int]) -> ClusterState:
        """One broker's answer; the topics' min ISR is asked once per observation (`min_isr` is filled
        with what this broker's topics add), the ISR of every broker."""
        client = AdminClient({**config, "bootstrap.servers": address})
        sees_every_topic(client)
        metadata = client.list_topics(timeout=timeout)
        topics = sorted(metadata.topics)
        resources = [ConfigResource(ConfigResource.Type.TOPIC, t) for t in topics if t not in min_isr]
        if resources:
            for resource, future in client.describe_configs(resources, request_timeout=timeout).items():
                entries = future.result(timeout=timeout)
                min_isr[resource.name] = int(entries["min.insync.replicas"].value)
        partitions = []
        for topic in topics:
            described = metadata.topics[topic]
            if described.error is not None:
                raise RuntimeError(f"topic {topic}: {described.error}")
            for pid, p in sorted(described.partitions.items()):
                partitions.append(PartitionState(topic, pid, tuple(p.replicas), tuple(p.isrs), min_isr[topic],
                                                 p.leader if p.leader >= 0 else None))
        return ClusterState(frozenset(metadata.brokers), tuple(partitions))

    def observe() -> ClusterState:
        views: list[ClusterState] = []
        errors: list[str] = []
        min_isr: dict[str, int] = {}
        for address in addresses:
            try:
                views.append(view(address, min_isr))
            except Exception as error:  # noqa: BLE001 - a broker that is down or restarting
                if every:
                    raise
                errors.append(f"{address}: {error}")
        if not views:
            raise RuntimeError(f"no broker answered: {'; '.join(errors)}")
        return worst_view(views)

    return observe


# --- KRaft controllers: the quorum, as Kafka's metadata-quorum tool reports it ----------------------
@dataclass(frozen=True)
class QuorumReplica:
    """One row of `kafka-metadata-quorum.sh describe --replication` (timestamps: the leader's clock, ms)."""

    node: int
    lag: int
    last_fetch_ms: int
    last_caught_up_ms: int
    status: str  # Leader, Follower (voters) or Observer (brokers)


def quorum_replication(text: str) -> list[QuorumReplica]:
    """Parse the tool's table (3.9 and 4.x print the same columns); fail on anything else."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    header = next((i for i, cols in enumerate(lines) if cols[:1] == ["NodeId"]), None)
    if header is None:
        raise ValueError("no NodeId table in the metadata-quorum output")
    names = lines[header]
    rows = []
    for cols in lines[header + 1:]:
        if len(cols) != len(names) or not cols[0].isdigit():
            continue  # log noise around the table
        row = dict(zip(names, cols))
        rows.append(QuorumReplica(int(row["NodeId"]), int(row["Lag"]), int(row["LastFetchTimestamp"]),
                                  int(row["LastCaughtUpTimestamp"]), row["Status"]))
    return rows


def _lagging(r: QuorumReplica, now: int, max_lag: int, fresh_ms: int) -> list[str]:
    if r.lag > max_lag:
        return [f"controller {r.node} lags the leader by {r.lag} records (at most {max_lag})"]
    if now - r.last_caught_up_ms > fresh_ms:
        return [f"controller {r.node} last caught up {now - r.last_caught_up_ms} ms ago"]
    return []


def quorum_ready(rows: Sequence[QuorumReplica], max_lag: int = 100, fresh_ms: int = 5000) -> list[str]:
    """Why the controller quorum cannot lose a member now (empty: it can): no leader, or a voter
    that lags, or one that has not fetched / caught up within `fresh_ms` of the leader's clock."""
    leaders = [r for r in rows if r.status == "Leader"]
    if not leaders:
        return ["no quorum leader"]
    now = leaders[0].last_fetch_ms
    return [reason for r in rows if r.status == "Follower" for reason in _lagging(r, now, max_lag, fresh_ms)]


def controller_ready(rows: Sequence[QuorumReplica], node: int, max_lag: int = 100, fresh_ms: int = 5000) -> list[str]:
    """Why controller `node` is not ready (empty: it is): the same rule as `quorum_ready`, for one
    voter — what a controller pod's readiness probe (`render.readiness`) asks: a leader exists, the
    node is a voter that is caught up, and a majority of the voters is (a leader that lost its
    majority still answers for a while)."""
    leaders = [r for r in rows if r.status == "Leader"]
    if not leaders:
        return ["no quorum leader"]
    now = leaders[0].last_fetch_ms
    mine = [r for r in rows if r.node == node]
    if not mine or mine[0].status not in ("Leader", "Follower"):
        return [f"controller {node} is not a voter that fetches ({mine[0].status if mine else 'absent'})"]
    if mine[0].status == "Follower" and _lagging(mine[0], now, max_lag, fresh_ms):
        return _lagging(mine[0], now, max_lag, fresh_ms)
    voters = [r for r in rows if r.status in ("Leader", "Follower")]
    fresh = [r for r in voters if r.status == "Leader" or not _lagging(r, now, max_lag, fresh_ms)]
    if 2 * len(fresh) <= len(voters):
        return [f"only {len(fresh)} of {len(voters)} voters are caught up with the leader"]
    return []

def quorum_tool(kafka_home: str, bootstrap: str, command_config: str, via: str = "server",
                timeout: float = 120) -> Callable[[], list[QuorumReplica]]:
    """The quorum as Kafka's own `kafka-metadata-quorum.sh describe --replication` reports it,
    asked through the brokers (`via="server"`: their TLS listener forwards the request) or the
    controllers (`via="controller"`)."""
    import os
    import subprocess
    from pathlib import Path

    from ..render.jvm import with_tool_options

    tool = Path(kafka_home) / "bin" / "kafka-metadata-quorum.sh"

    def quorum() -> list[QuorumReplica]:
        done = subprocess.run([str(tool), f"--bootstrap-{via}", bootstrap, "--command-config", command_config,
                               "describe", "--replication"], capture_output=True, text=True, timeout=timeout,
                              env=with_tool_options(dict(os.environ)))
        if done.returncode != 0:
            raise RuntimeError(f"kafka-metadata-quorum.sh exited {done.returncode}: "
                               f"{(done.stderr or done.stdout).strip()[-300:]}")
        return quorum_replication(done.stdout)
    return quorum
