"""Guarded rolling changes on the real servers: a config change rolled through a ZooKeeper-mode
cluster under acks=all load, a refusal when no broker can be spared, the `roll-gate` command
`pulumi up` runs (with the rollout identity and the ACLs broker 0's boot grants it). Its KRaft
controller step: tests/e2e/test_kraft.py; the rolling version upgrade 3.9.2 -> 4.4:
tests/e2e/test_migration.py (on the migrated cluster, which ends on the configs a KRaft-born one runs)."""
import pytest

import claims
from harness import KafkaCluster

pytestmark = pytest.mark.e2e


def test_a_config_change_rolls_one_broker_at_a_time_and_refuses_when_none_can_be_spared():
    with KafkaCluster(cluster="rolling", zookeepers=1, brokers=3, sasl=False) as cluster:
        claims.roll_refused_when_a_broker_cannot_be_spared(cluster)
        claims.rollout_identity_gates_and_can_do_nothing_else(cluster)
        claims.readiness_probe_is_the_isr_gate(cluster)
        claims.rolling_config_change(cluster)
