"""Pure renderers and the certificate model: the same functions feed EC2 user data and the e2e cluster."""
import re

import pytest
import yaml

from secure_kafka.model import pki
from secure_kafka.render import parse_properties, render_properties
from secure_kafka.render.cloudinit import NodeBoot, cloud_config, systemd_unit
from secure_kafka.render.kafka import (BrokerSettings, ClientQuota, PemFiles, quota_arguments, scram_client_jaas,
                                       server_properties)
from secure_kafka.render.zookeeper import QuorumMember, ZooKeeperSettings, zoo_cfg

TLS = PemFiles("/etc/kafka/tls/node.pem", "/etc/kafka/tls/ca.pem")
BROKER = BrokerSettings(broker_id=1, cluster="orders", advertised_host="10.0.1.5", zookeeper_connect="10.0.2.5:2182",
                        log_dirs="/data", tls=TLS)
MEMBERS = [QuorumMember(i, f"10.0.2.{i}") for i in (1, 2, 3)]


def test_properties_round_trip_sorted_and_single_line():
    text = render_properties({"b": True, "a": 1, "c": "x=y"}, header="two\nlines")
    assert text.splitlines() == ["# two", "# lines", "a=1", "b=true", "c=x=y"]
    assert parse_properties(text) == {"a": "1", "b": "true", "c": "x=y"}
    with pytest.raises(ValueError, match="one line"):
        render_properties({"a": "1\nlisteners=PLAINTEXT://:9092"})


def test_broker_without_sasl_has_only_the_mutual_tls_listener():
    props = server_properties(BROKER, broker_count=3)
    assert props["listeners"] == "SSL://0.0.0.0:9094" and props["advertised.listeners"] == "SSL://10.0.1.5:9094"
    assert not any(k.startswith(("sasl.", "listener.name.sasl_ssl")) for k in props)
    assert props["zookeeper.connect"] == "10.0.2.5:2182/kafka"
    with_sasl = server_properties(BrokerSettings(**{**BROKER.__dict__, "sasl_port": 9096}), broker_count=3)
    assert with_sasl["listeners"].endswith("SASL_SSL://0.0.0.0:9096")
    assert with_sasl["listener.name.sasl_ssl.ssl.client.auth"] == "required"
    assert with_sasl["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"  # the JAAS section where SASL is on
    assert "ScramLoginModule required" in with_sasl["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]


@pytest.mark.parametrize("change,count,message", [
    ({"replication_factor": 4}, 3, "replication factor <= broker count"),
    ({"min_insync_replicas": 1}, 3, "2 <= min.insync"),
    ({"sasl_port": 9094}, 3, "different ports"),
    ({"zookeeper_chroot": ""}, 3, "chroot"),
    ({"zookeeper_chroot": "/"}, 3, "chroot"),
])
def test_broker_settings_that_break_the_guarantees_are_refused(change, count, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        server_properties(BrokerSettings(**{**BROKER.__dict__, **change}), broker_count=count)


def test_zookeeper_config_has_no_plaintext_port_and_needs_an_odd_ensemble():
    cfg = zoo_cfg(ZooKeeperSettings(2, MEMBERS, "/data/zk", TLS))
    assert "clientPort" not in cfg and cfg["secureClientPort"] == 2182
    assert cfg["ssl.clientAuth"] == "need" and cfg["sslQuorum"] is True and cfg["admin.enableServer"] is False
    assert cfg["server.3"] == "10.0.2.3:2888:3888"
    with pytest.raises(ValueError, match="1, 3, 5 or 7"):
        zoo_cfg(ZooKeeperSettings(1, MEMBERS[:2], "/d", TLS))
    with pytest.raises(ValueError, match="not a member"):
        zoo_cfg(ZooKeeperSettings(9, MEMBERS, "/d", TLS))


def test_scram_jaas_refuses_values_that_would_break_out_of_the_quotes():
    assert scram_client_jaas("u", "p").endswith('username="u" password="p";')
    for bad in ('p"; evil="x', "p\\", "p\nq"):
        with pytest.raises(ValueError):
            scram_client_jaas("u", bad)


def test_quota_arguments_set_every_limit():
    args = quota_arguments(ClientQuota(1, 2, 3), "h:9094", "/etc/a.properties")
    assert args[args.index("--add-config") + 1] == "producer_byte_rate=1,consumer_byte_rate=2,request_percentage=3"
    assert args[-1] == "--entity-default"
    assert quota_arguments(ClientQuota(), "h", "c", user="bob")[-2:] == ["--entity-name", "bob"]


def test_principal_mapping_gives_short_names_only_to_this_clusters_certificates():
    rule = pki.principal_mapping_rules("orders")
    pattern = rule.split("/")[0][len("RULE:"):]
    broker = pki.broker_certs("orders", [["10.0.0.1"]])[0]
    assert re.match(pattern, broker.distinguished_name).group(1) == "kafka-broker"
    other = pki.broker_certs("payments", [["10.0.0.1"]])[0]
    assert re.match(pattern, other.distinguished_name) is None
    assert rule.endswith(",DEFAULT")
    with pytest.raises(ValueError):
        pki.principal_mapping_rules("a.b")


def test_certificate_model_splits_names_and_addresses_and_reserves_node_identities():
    [spec] = pki.zookeeper_certs("orders", [["zk-1.internal", "10.0.0.7", "::1"]])
    assert spec.dns_names == ("zk-1.internal",) and spec.ip_addresses == ("10.0.0.7", "::1")
    assert spec.distinguished_name == "CN=zookeeper,OU=orders,O=secure-kafka"
    client = pki.client_cert("orders", "billing")
    assert client.kafka_principal == "User:billing" and not client.server and client.client
    for reserved in ("kafka-broker", "zookeeper", "Bad Name"):
        with pytest.raises(ValueError):
            pki.client_cert("orders", reserved)


def boot(**change):
    base = dict(role="zookeeper", node_name="zk-1", region="eu-west-1",
                tls_secret_arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:x",
                config_path="/etc/kafka/zoo.cfg",
                files={"/etc/kafka/zoo.cfg": "secureClientPort=2182\n", "/var/lib/kafka/zookeeper/myid": "1\n"})
    return NodeBoot(**{**base, **change})


def test_cloud_init_writes_data_dir_files_after_mounting_and_embeds_no_key():
    doc = yaml.safe_load(cloud_config(boot()))
    files = {f["path"]: f["content"] for f in doc["write_files"]}
    assert "/var/lib/kafka/zookeeper/myid" not in files  # would be hidden by the mount
    install = files["/usr/local/sbin/secure-kafka-install"].splitlines()
    mount = next(i for i, line in enumerate(install) if line.startswith("mount -a"))
    copy = next(i for i, line in enumerate(install) if "zookeeper/myid" in line)
    assert copy > mount and "gpg --batch --verify" in files["/usr/local/sbin/secure-kafka-install"]
    fetch = files["/usr/local/sbin/secure-kafka-fetch-tls"]
    assert "get-secret-value" in fetch and "umask 077" in fetch
    assert [c for c in doc["runcmd"] if "enable" in c] == [["systemctl", "enable", "--now", "zookeeper.service"]]
    assert doc["ssh_pwauth"] is False


def test_systemd_unit_runs_unprivileged_in_a_sandbox():
    unit = systemd_unit(boot(role="kafka", config_path="/etc/kafka/server.properties"))
    for line in ("User=kafka", "NoNewPrivileges=true", "ProtectSystem=strict", "CapabilityBoundingSet=",
                 "ReadWritePaths=/var/lib/kafka /var/log/kafka"):
        assert line in unit.splitlines()
    assert "kafka.Kafka /etc/kafka/server.properties" in unit
