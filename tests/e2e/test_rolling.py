"""Guarded rolling changes on the real servers: a config change rolled through a ZooKeeper-mode
cluster, a refusal when no broker can be spared, the `roll-gate` command `pulumi up` runs (with
the rollout identity and the ACLs broker 0's boot grants it), its KRaft controller step, and a rolling
upgrade of a KRaft cluster from Kafka 3.9.1 to the newest 4.x, all under acks=all load."""
import pytest

import claims
from harness import KAFKA_4, KafkaCluster

pytestmark = pytest.mark.e2e


def test_a_config_change_rolls_one_broker_at_a_time_and_refuses_when_none_can_be_spared():
    with KafkaCluster(cluster="rolling", zookeepers=1, brokers=3, sasl=False) as cluster:
        claims.roll_refused_when_a_broker_cannot_be_spared(cluster)
        claims.rollout_identity_gates_and_can_do_nothing_else(cluster)
        claims.readiness_probe_is_the_isr_gate(cluster)
        claims.rolling_config_change(cluster)


def test_the_controller_gate_then_a_kraft_cluster_rolls_from_kafka_3_9_to_4_under_load():
    with KafkaCluster(cluster="upgrade", metadata="kraft", controllers=3, brokers=3, sasl=False) as cluster:
        claims.controller_gate_through_the_brokers(cluster)
        claims.rolling_upgrade(cluster, KAFKA_4)
