"""ZooKeeper -> KRaft on the real servers (Kafka 3.9.1, the last line that runs both): a secured
running cluster through every phase under acks=all load, each phase's preconditions checked."""
import pytest

import claims
from harness import KafkaCluster

pytestmark = pytest.mark.e2e


def test_a_secured_zookeeper_cluster_moves_to_kraft_under_load_losing_nothing():
    with KafkaCluster(cluster="migrate", zookeepers=1, brokers=3, sasl=True, migration=True,
                      controllers=3) as cluster:
        claims.zookeeper_to_kraft(cluster)
