"""The Kubernetes variant of server.properties and zoo.cfg (KafkaOnKubernetes' ConfigMaps) booted on
the real servers: only where a pod listens, advertises and keeps its files is replaced; ZooKeeper's
name checks are off there by design (pods have no reverse-resolvable names), and that is pinned."""
import pytest

import claims
from harness import (K8S_LOCAL_BROKER_KEYS, K8S_LOCAL_KRAFT_KEYS, K8S_LOCAL_ZOOKEEPER_KEYS, KafkaCluster,
                     kubernetes_configmaps, kubernetes_kraft_configmaps)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def k8s_cluster():
    with KafkaCluster(cluster="k8s", zookeepers=3, brokers=2, sasl=True, variant="kubernetes") as running:
        yield running


def test_the_servers_run_the_configmaps_but_for_the_local_keys(k8s_cluster):
    brokers, shared = kubernetes_configmaps(k8s_cluster)
    assert len(brokers) == k8s_cluster.brokers
    for index in range(k8s_cluster.brokers):
        running = k8s_cluster.rendered("broker", index)
        mapped = brokers[f"server-{index}.properties"]
        assert set(running) == set(mapped)
        assert {k for k in running if running[k] != mapped[k]} <= set(K8S_LOCAL_BROKER_KEYS)
    for index in range(k8s_cluster.zookeepers):
        running = k8s_cluster.rendered("zookeeper", index)
        assert {k for k in running if not k.startswith("server.")} == {k for k in shared if not k.startswith("server.")}
        assert {k for k in running if running[k] != shared.get(k) and not k.startswith("server.")} <= \
            set(K8S_LOCAL_ZOOKEEPER_KEYS)
        assert running["ssl.hostnameVerification"] == running["ssl.quorum.hostnameVerification"] == "false"


def test_every_socket_is_declared_and_refuses_strangers(k8s_cluster):
    claims.surface(k8s_cluster)


def test_old_tls_and_weak_suites_are_refused(k8s_cluster):
    claims.tls_versions_and_ciphers(k8s_cluster)


def test_only_whitelisted_four_letter_words_answer(k8s_cluster):
    claims.four_letter_words(k8s_cluster)


def test_zookeeper_name_checks_are_off_exactly_where_the_readme_says(k8s_cluster):
    claims.zookeeper_name_checks(k8s_cluster, quorum_verifies=False)


def test_acls_deny_by_default(k8s_cluster):
    claims.acls_deny_by_default(k8s_cluster)


def test_the_security_stream_on_stdout_feeds_the_shipped_loki_and_fluent_bit_rules(k8s_cluster):
    claims.incident_trail(k8s_cluster)
    counted = claims.security_stream_feeds_the_shipped_rules(k8s_cluster)
    assert sorted(counted) == ["access_changes", "authentication_failures", "denials"]
    assert all(n >= 1 for n in counted.values()), counted


def test_the_kraft_configmaps_boot_and_hold_the_claims():
    """metadata_mode kraft: the brokers' and controllers' ConfigMaps, with only the local keys replaced; the
    security stream in log4j 2's form (Kafka 4.x), with the controllers' own lines (they authorize ACL changes)."""
    with KafkaCluster(cluster="k8s-kraft", metadata="kraft", controllers=3, brokers=3, sasl=True,
                      variant="kubernetes") as cluster:
        mapped = kubernetes_kraft_configmaps(cluster)
        assert len(mapped) == cluster.brokers + cluster.controllers
        for role, prefix, count in (("broker", "server", cluster.brokers), ("controller", "controller", cluster.controllers)):
            for index in range(count):
                running, want = cluster.rendered(role, index), mapped[f"{prefix}-{index}.properties"]
                assert set(running) == set(want) and running["process.roles"] == role
                assert {k for k in running if running[k] != want[k]} <= set(K8S_LOCAL_KRAFT_KEYS)
        claims.surface(cluster)
        claims.acls_deny_by_default(cluster)
        claims.controller_readiness_is_the_quorum_gate(cluster)
        claims.incident_trail(cluster)
        counted = claims.security_stream_feeds_the_shipped_rules(cluster)
        assert all(n >= 1 for n in counted.values()) and len(counted) == 3, counted
