"""Drive a running ZooKeeper-mode cluster to KRaft, phase by phase, each only when its
preconditions hold (the configs of each phase: `render.migration`).

The platform provides how to start the controllers, restart a node into a phase and look at the
cluster (`MigrationOps`); the driver decides when. It refuses to start a phase — and restarts
nothing — when the controller quorum is not caught up, a partition is under-replicated or under
min ISR, or the migration state is not the one the phase needs. `secure-kafka migrate`
(`migration_command`) is this driver with shell commands as the platform's hands. Brokers and controllers roll one at a time
through the rolling gate (`rolling.roll`, `rolling.roll_controllers`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..render.migration import PHASES, ZOOKEEPER
from .rolling import ClusterState, QuorumReplica, RollRefused, healthy, quorum_ready, roll, roll_controllers, roll_order


@dataclass
class MigrationOps:
    brokers: Sequence[int]
    controllers: Sequence[int]  # indexes the restart function understands
    restart_broker: Callable[[int, str], None]  # (broker, phase): stop, write that phase's config, start
    restart_controller: Callable[[int, str], None]
    observe: Callable[[], ClusterState]
    quorum: Callable[[], Sequence[QuorumReplica]]
    migrated: Callable[[], bool]  # the active controller reports the metadata copied from ZooKeeper
    stop_zookeeper: Callable[[], None]
    # phase 1: start the controllers in migration mode; None when they are provisioned elsewhere
    start_controllers: Optional[Callable[[], None]] = None
    # rollback only: stop and deprovision the controllers; raise /controller_epoch above the KRaft
    # controller's (KAFKA-20488), then delete /controller and /migration in ZooKeeper
    stop_controllers: Optional[Callable[[], None]] = None
    clear_migration: Optional[Callable[[], None]] = None
    # rollback only: the controllers (node ids) that run without ZooKeeper (finalised): no way back
    finalised: Callable[[], Sequence[int]] = lambda: ()
    timeout: float = 600
    interval: float = 2.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class MigrationRefused(RuntimeError):
    """A phase's preconditions do not hold; nothing of that phase was done."""


@dataclass
class MigrationReport:
    phases: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def preconditions(phase: str, ops: MigrationOps) -> list[str]:
    """Why `phase` may not start now (empty: it may)."""
    if phase not in PHASES:
        raise ValueError(f"phase {phase!r}: one of {', '.join(PHASES)}")
    reasons: list[str] = []
    if phase != "controllers":  # before phase 1 there is no quorum to ask
        try:
            reasons = [f"quorum: {r}" for r in quorum_ready(ops.quorum())]
        except Exception as error:  # noqa: BLE001 - an unreachable quorum is a reason, not a crash
            reasons = [f"quorum: not observable ({error})"]
    try:
        reasons += healthy(ops.observe(), ops.brokers)
    except Exception as error:  # noqa: BLE001
        reasons.append(f"cluster not observable: {error}")
    migrated = ops.migrated()
    if phase in ("controllers", "brokers") and migrated:
        reasons.append(f"the metadata is already migrated: the cluster is past the {phase} phase")
    if phase in ("kraft", "finalised", "retired") and not migrated:
        reasons.append("the controllers have not migrated the metadata from ZooKeeper yet")
    if phase in ("finalised", "retired"):
        observers = {r.node for r in ops.quorum() if r.status == "Observer"} if not reasons else set()
        missing = sorted(set(ops.brokers) - observers)
        if not reasons and missing:
            reasons.append(f"broker(s) {missing} do not fetch the metadata log yet (not in KRaft mode)")
    return reasons


def _phase(phase: str, ops: MigrationOps) -> None:
    if phase == "controllers":
        assert ops.start_controllers is not None  # migrate() checked
        ops.start_controllers()
        _until(ops, lambda: not _quorum_reasons(ops), "the new controller quorum has a leader and is caught up")
    elif phase in ("brokers", "kraft"):
        _roll_brokers(ops, ops.brokers, phase)
        if phase == "brokers":
            _until(ops, ops.migrated, "the controllers migrate the metadata from ZooKeeper")
    elif phase == "finalised":
        roll_controllers(list(ops.controllers), lambda c: ops.restart_controller(c, phase), ops.quorum,
                         timeout=ops.timeout, interval=ops.interval, clock=ops.clock, sleep=ops.sleep)
    else:
        ops.stop_zookeeper()


def _quorum_reasons(ops: MigrationOps) -> list[str]:
    try:
        return quorum_ready(ops.quorum())
    except Exception as error:  # noqa: BLE001 - a quorum still starting answers nothing yet
        return [str(error)]


def _until(ops: MigrationOps, check: Callable[[], bool], what: str) -> None:
    start = ops.clock()
    while not check():
        if ops.clock() - start > ops.timeout:
            raise RollRefused(f"timed out after {ops.timeout:.0f}s waiting until {what}")
        ops.sleep(ops.interval)


def migrate(ops: MigrationOps, start: str = "brokers", until: str = "retired",
            on_phase: Callable[[str], None] = lambda phase: None) -> MigrationReport:
    """Run the phases from `start` to `until` (PHASES order), checking each one's preconditions."""
    names = list(PHASES)
    if start not in names or until not in names or names.index(start) > names.index(until):
        raise ValueError(f"phases run in order {' -> '.join(names)}: {start} to {until} is not a range")
    if start == "controllers" and ops.start_controllers is None:
        raise ValueError("phase controllers: no way to start the controllers was given (start_controllers); "
                         "start from brokers once they run")
    report = MigrationReport()
    for phase in names[names.index(start): names.index(until) + 1]:
        reasons = preconditions(phase, ops)
        if reasons:
            raise MigrationRefused(f"phase {phase} refused: {'; '.join(reasons)}")
        on_phase(phase)
        began = ops.clock()
        _phase(phase, ops)
        report.phases.append(phase)
        report.seconds[phase] = ops.clock() - began
    return report


# Going back: Kafka allows it while the controllers still write to ZooKeeper (before `finalised`).
# Brokers already in KRaft go back to migration mode first; then the controllers go and a broker
# becomes the ZooKeeper controller again; then every broker rolls to its original config.


def rollback_preconditions(ops: MigrationOps) -> list[str]:
    """Why the cluster may not go back to ZooKeeper now (empty: it may)."""
    if ops.stop_controllers is None or ops.clear_migration is None:
        raise ValueError("rollback needs stop_controllers and clear_migration")
    reasons: list[str] = []
    try:
        finalised = sorted(ops.finalised())
    except Exception as error:  # noqa: BLE001 - unknown is not "not finalised"
        reasons.append(f"cannot tell whether the controllers still write to ZooKeeper ({error})")
    else:
        if finalised:
            reasons.append(f"controller(s) {finalised} run without ZooKeeper (finalised): Kafka has no way back")
    try:
        reasons += healthy(ops.observe(), ops.brokers)
    except Exception as error:  # noqa: BLE001
        reasons.append(f"cluster not observable: {error}")
    return reasons


def rollback(ops: MigrationOps, on_step: Callable[[str], None] = lambda step: None) -> MigrationReport:
    """Back to ZooKeeper mode from phase `brokers` or `kraft` (Kafka's documented steps), one broker
    at a time through the rolling gate; refused, before anything restarts, once finalised."""
    reasons = rollback_preconditions(ops)
    if reasons:
        raise MigrationRefused(f"rollback refused: {'; '.join(reasons)}")
    try:
        kraft = sorted(set(ops.brokers) & {r.node for r in ops.quorum() if r.status == "Observer"})
    except Exception as error:  # noqa: BLE001 - which brokers run KRaft decides the first step
        raise MigrationRefused(f"rollback refused: quorum not observable ({error})") from None
    stop, clear = ops.stop_controllers, ops.clear_migration
    assert stop is not None and clear is not None  # rollback_preconditions checked

    def controllers_go() -> None:
        stop()
        clear()  # at once: until /controller is gone, no broker may become the controller

    report = MigrationReport()
    steps: list[tuple[str, Callable[[], None]]] = []
    if kraft:
        steps.append(("brokers", lambda: _roll_brokers(ops, kraft, "brokers")))
    steps.append(("controllers", controllers_go))
    steps.append((ZOOKEEPER, lambda: _roll_brokers(ops, list(ops.brokers), ZOOKEEPER)))
    for name, step in steps:
        on_step(name)
        began = ops.clock()
        step()
        report.phases.append(name)
        report.seconds[name] = ops.clock() - began
    return report


def _roll_brokers(ops: MigrationOps, brokers: Sequence[int], phase: str) -> None:
    roll(roll_order(brokers), lambda b: ops.restart_broker(b, phase), ops.observe, expected=ops.brokers,
         timeout=ops.timeout, interval=ops.interval, clock=ops.clock, sleep=ops.sleep)
