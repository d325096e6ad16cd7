"""ZooKeeper -> KRaft on the real servers (Kafka 3.9.2, the last line that runs both): a secured
running cluster through every phase, driven by `secure-kafka migrate`, with a producer and a
consumer running; then the migrated cluster rolls to Kafka 4.x under load."""
import pytest

import claims
from harness import KafkaCluster, KAFKA_4

pytestmark = pytest.mark.e2e


def test_a_secured_zookeeper_cluster_moves_to_kraft_under_load_then_upgrades_losing_nothing():
    with KafkaCluster(cluster="migrate", zookeepers=1, brokers=3, sasl=True, migration=True,
                      controllers=3) as cluster:
        claims.zookeeper_to_kraft(cluster)
        claims.rolling_upgrade(cluster, KAFKA_4)
