"""How `pulumi up` replaces brokers one at a time, each only when the cluster can spare it.

Pulumi updates resources in parallel unless one depends on another. So each broker instance is
wrapped in two local commands and chained:

    before-0 -> broker-0 -> after-0 -> before-1 -> broker-1 -> after-1 -> ...

`before-i` runs `secure-kafka roll-gate before` when broker i's boot document changes (its
`update`; on creation there is nothing to protect); the instance, which depends on it, is only
replaced once it passes. `after-i` runs `roll-gate after` whenever the instance is created or
replaced, and the next broker's `before` depends on it. The commands run where `pulumi up` runs,
which must reach the brokers' TLS listener; they authenticate as User:kafka-rollout, which may only
describe topics and their configs. With `rollout_gate=False` the chain stays (one broker at a
time) but nothing waits for the ISR.
"""
from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import pulumi
import pulumi_command as command

from ..ops.rollgate import ENV


@dataclass(frozen=True)
class GateCredentials:
    ca_pem: pulumi.Input[str]
    cert_pem: pulumi.Input[str]
    key_pem: pulumi.Input[str]  # a secret


def gate_command(step: str, broker: int, brokers: Sequence[int], bootstrap: str, timeout: int = 1800) -> str:
    """The command line of one gate (no secrets on it: they go through the environment)."""
    return shlex.join(["secure-kafka", "roll-gate", step, "--broker", str(broker),
                       "--brokers", ",".join(str(b) for b in brokers), "--bootstrap", bootstrap,
                       "--timeout", str(timeout)])


def controller_gate_command(kafka_home: str, node_base: int) -> Callable[[str, int, Sequence[int], str], str]:
    """The gate of KRaft controller `index` (node id node_base + index): the quorum, asked through
    the brokers' TLS listener with Kafka's tool from `kafka_home` where `pulumi up` runs."""
    def command_line(step: str, index: int, everyone: Sequence[int], bootstrap: str, timeout: int = 1800) -> str:
        return shlex.join(["secure-kafka", "roll-gate", step, "--controller", str(node_base + index),
                           "--kafka-home", kafka_home, "--bootstrap", bootstrap, "--timeout", str(timeout)])
    return command_line


@dataclass(frozen=True)
class QuorumRollout:
    """What a controller quorum's chain needs to gate each replacement on the quorum's health."""

    bootstrap: pulumi.Input[str]  # the brokers' TLS listener
    credentials: GateCredentials
    kafka_home: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class RolloutChain:
    """Builds the chain for one component's brokers; `depends_on()` is what the next instance waits for."""

    def __init__(self, name: str, count: int, bootstrap: pulumi.Input[str],
                 credentials: Optional[GateCredentials], parent: pulumi.Resource,
                 command_line: Callable[[str, int, Sequence[int], str], str] = gate_command,
                 gate_new_nodes: bool = True, what: str = "broker") -> None:
        self.name, self.count, self.parent = name, count, parent
        self.bootstrap = pulumi.Output.from_input(bootstrap)
        self.credentials = credentials
        self.command_line, self.what = command_line, what
        # brokers created with the cluster wait for each other; controllers come up before any
        # broker, so a new controller cannot be asked about through the brokers
        self.gate_new_nodes = gate_new_nodes
        self._last: list[pulumi.Resource] = []

    def _environment(self, **extra: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
        """The gate's credentials; the private key only as a secret (the command line has none)."""
        assert self.credentials is not None
        c = self.credentials
        return {ENV["ssl.ca.location"]: c.ca_pem, ENV["ssl.certificate.location"]: c.cert_pem,
                ENV["ssl.key.location"]: pulumi.Output.secret(c.key_pem), **extra}

    def before(self, index: int, user_data: pulumi.Input[str]) -> list[pulumi.Resource]:
        """What broker `index`'s instance depends on: its own `before` gate (or the last `after`)."""
        if self.credentials is None:
            return list(self._last)
        everyone = list(range(self.count))
        gate = command.local.Command(
            f"{self.name}-before-{index}",
            create=f"echo 'first boot: no running {self.what} to protect'",
            update=self.bootstrap.apply(lambda b: self.command_line("before", index, everyone, b)),
            environment=self._environment(
                SECURE_KAFKA_NODE_CONFIG=pulumi.Output.from_input(user_data).apply(_digest)),
            opts=pulumi.ResourceOptions(parent=self.parent, depends_on=list(self._last)))
        return [gate]

    def after(self, index: int, instance: pulumi.Resource, instance_id: pulumi.Input[str]) -> None:
        if self.credentials is None:
            self._last = [instance]
            return
        # created with the cluster: only the brokers so far must be registered; replaced: all of them
        create: pulumi.Input[str] = (
            self.bootstrap.apply(lambda b: self.command_line("after", index, list(range(index + 1)), b))
            if self.gate_new_nodes else f"echo 'first boot: {self.what} {index} joins with the cluster'")
        gate = command.local.Command(
            f"{self.name}-after-{index}",
            create=create,
            update=self.bootstrap.apply(lambda b: self.command_line("after", index, list(range(self.count)), b)),
            environment=self._environment(SECURE_KAFKA_NODE_INSTANCE=instance_id),
            opts=pulumi.ResourceOptions(parent=self.parent, depends_on=[instance]))
        self._last = [gate]
