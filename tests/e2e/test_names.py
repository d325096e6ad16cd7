"""Endpoint identification on the real servers: certificates from the cluster's own CA, issued for
the wrong host, are refused wherever the rendered configs claim to verify names."""
import pytest

import claims
from harness import KafkaCluster

pytestmark = pytest.mark.e2e


def test_clients_and_brokers_refuse_a_broker_certificate_for_another_host():
    with KafkaCluster(cluster="names", zookeepers=1, brokers=2, sasl=False,
                      cert_hosts={"broker1": [claims.WRONG_HOST]}, broker0_controls=True) as cluster:
        claims.brokers_check_each_others_names(cluster)


def test_brokers_refuse_a_zookeeper_certificate_for_another_host():
    cluster = KafkaCluster(cluster="zknames", zookeepers=1, brokers=2, sasl=False,
                           cert_hosts={"zk0": [claims.WRONG_HOST]})
    try:
        cluster.start(wait=False)
        claims.brokers_check_zookeeper_names(cluster)
    finally:
        cluster.cleanup()
