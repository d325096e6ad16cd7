"""KafkaOnKubernetes' ConfigMaps against the EC2 render of the same settings: every key the same,
except the listed host/port/path keys, and ZooKeeper's name checks, off in pods by design."""
from dataclasses import replace

from secure_kafka.kubernetes import KafkaOnKubernetesArgs, broker_settings, config_files, zookeeper_settings
from secure_kafka.render import parse_properties, render_properties
from secure_kafka.render.kafka import server_properties
from secure_kafka.render.zookeeper import zoo_cfg

# what may differ between a pod and an EC2 node, and why
HOST_PORT_PATH = {"listeners", "advertised.listeners", "log.dirs", "ssl.keystore.location", "ssl.truststore.location",
                  "zookeeper.connect", "zookeeper.ssl.keystore.location", "zookeeper.ssl.truststore.location"}
ZOOKEEPER_POD_ONLY = {"ssl.hostnameVerification", "ssl.quorum.hostnameVerification",  # no reverse DNS for pods
                      "quorumListenOnAllIPs",  # a pod's own name may not resolve to its interface at start
                      "dataDir", "secureClientPortAddress", "ssl.keyStore.location", "ssl.trustStore.location",
                      "ssl.quorum.keyStore.location", "ssl.quorum.trustStore.location"}
ARGS = KafkaOnKubernetesArgs(cluster="events", storage_class="gp3-encrypted", listeners=("SSL", "SASL_SSL"))


def test_broker_configmaps_differ_from_the_ec2_render_only_in_host_port_and_path_keys():
    kafka, _ = config_files(ARGS)
    brokers = sorted(k for k in kafka if k.startswith("server-"))
    assert len(brokers) == ARGS.brokers
    for index, name in enumerate(brokers):
        pod = parse_properties(kafka[name])
        settings = broker_settings(ARGS, index)
        ec2 = parse_properties(render_properties(server_properties(
            replace(settings, advertised_host="10.0.0.10", bind_host="0.0.0.0", log_dirs="/var/lib/kafka/data",
                    zookeeper_connect="10.0.1.10:2182", tls=replace(settings.tls, keystore="/etc/kafka/tls/node.pem")),
            ARGS.brokers)))
        assert set(pod) == set(ec2)
        differ = {k for k in pod if pod[k] != ec2[k]}
        assert differ <= HOST_PORT_PATH, differ - HOST_PORT_PATH
        assert pod["ssl.endpoint.identification.algorithm"] == "https"  # brokers still check names in pods
        assert pod["zookeeper.ssl.endpoint.identification.algorithm"] == "HTTPS"


def test_zookeeper_configmap_differs_only_in_pod_keys_and_name_checks():
    _, zk = config_files(ARGS)
    pod = parse_properties(zk["zoo.cfg"])
    settings = zookeeper_settings(ARGS)
    ec2 = parse_properties(render_properties(zoo_cfg(replace(settings, verify_hostnames=True,
                                                              quorum_listen_on_all_ips=False))))
    assert {k for k in pod if not k.startswith("server.")} == {k for k in ec2 if not k.startswith("server.")}
    differ = {k for k in pod if pod[k] != ec2[k]}
    assert differ == {"ssl.hostnameVerification", "ssl.quorum.hostnameVerification", "quorumListenOnAllIPs"}
    assert differ <= ZOOKEEPER_POD_ONLY
