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


def test_a_znodes_data_is_read_wherever_the_shell_prints_its_connection_event():
    """The rollback's epoch step reads `/controller` and `/controller_epoch` with zookeeper-shell, whose
    connection event comes from another thread: before the data as a rule, after it on a loaded machine
    (a CI run's rollback failed on reading the last line). Outputs as the shell prints them."""
    event = "Connecting to 127.0.0.1:2181\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null zxid: -1\n"
    controller = '{"version":2,"brokerid":3000,"timestamp":"1764820000000","kraftControllerEpoch":2}'
    for data, shaped in ((controller, lambda line: line.startswith("{")), ("3", str.isdigit)):
        assert claims.znode_data(f"{event}{data}\n", shaped) == data
        assert claims.znode_data(f"Connecting to 127.0.0.1:2181\n{data}\n\nWATCHER::\n\n{event.split('::')[1]}",
                                 shaped) == data
    with pytest.raises(AssertionError, match="not one data line"):
        claims.znode_data(event, str.isdigit)
