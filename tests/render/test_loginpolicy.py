"""The controllers' AlterConfigs policy as every platform ships it: named in the controller config, the
jar on the controller's CLASSPATH (EC2 user data, Kubernetes ConfigMap), also for the format step that
reads the config. The real controllers' refusal: tests/e2e/test_kraft.py and the mutation."""
import base64
import io
import zipfile

import yaml

from secure_kafka.aws.controllers import POLICY_JAR_PATH, KRaftControllerQuorumArgs, controller_user_data
from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs
from secure_kafka.kubernetes.manifests import manifests
from secure_kafka.render import parse_properties
from secure_kafka.render.kraft import ControllerSettings, Voter, controller_properties
from secure_kafka.render.kafka import PemFiles
from secure_kafka.render.loginpolicy import CLASS_FILE, JAR_NAME, POLICY_CLASS, policy_jar

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]


def test_the_jar_holds_the_class_and_is_the_same_bytes_every_time():
    jar = policy_jar()
    assert jar == policy_jar()
    with zipfile.ZipFile(io.BytesIO(jar)) as opened:
        assert opened.namelist() == ["META-INF/MANIFEST.MF", "io/securekafka/policy/StaticLoginPolicy.class"]
        assert opened.read("io/securekafka/policy/StaticLoginPolicy.class") == CLASS_FILE.read_bytes()


def test_every_controller_config_names_the_policy():
    voters = [Voter(1000, "10.0.0.10")]
    props = controller_properties(ControllerSettings(1000, "orders", "10.0.0.10", voters, "/var/lib/kafka/meta",
                                                     PemFiles("/k.pem", "/ca.pem")))
    assert props["alter.config.policy.class.name"] == POLICY_CLASS


def test_ec2_controllers_get_the_jar_on_their_classpath_for_the_service_and_the_format_step():
    args = KRaftControllerQuorumArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                     subnet_ids=SUBNETS)
    text = controller_user_data(args, "MkU3OEVBNTcwNTJENDM2Qg", 0, ["10.0.0.10", "10.0.0.11", "10.0.0.12"],
                                "arn:aws:secretsmanager:x", "eu-west-1", "/g")
    assert len(text.encode()) < 16 * 1024  # EC2 takes at most 16 KB of user data, before base64
    document = yaml.safe_load(text.split("\n", 1)[1])
    [jar] = [f for f in document["write_files"] if f["path"] == POLICY_JAR_PATH]
    assert jar["encoding"] == "b64" and base64.b64decode(jar["content"]) == policy_jar()
    [unit] = [f["content"] for f in document["write_files"] if f["path"].endswith(".service")]
    assert f"Environment=CLASSPATH={POLICY_JAR_PATH}" in unit.splitlines()
    [fmt] = [c for c in document["runcmd"] if "kafka-storage.sh" in " ".join(c)]
    assert f"CLASSPATH={POLICY_JAR_PATH}" in fmt and fmt.index(f"CLASSPATH={POLICY_JAR_PATH}") < \
        [i for i, a in enumerate(fmt) if a.endswith("kafka-storage.sh")][0]
    config = [f["content"] for f in document["write_files"] if f["path"] == "/etc/kafka/controller.properties"]
    assert config and parse_properties(config[0])["alter.config.policy.class.name"] == POLICY_CLASS


def test_kubernetes_controllers_get_the_jar_from_their_config_map():
    args = KafkaOnKubernetesArgs(cluster="orders", storage_class="gp3-encrypted")
    objects = manifests(args, {}, kraft_cluster_id="MkU3OEVBNTcwNTJENDM2Qg")
    [config] = [m for m in objects if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "kafka-controller-config"]
    assert base64.b64decode(config["binaryData"][JAR_NAME]) == policy_jar()
    [controllers] = [m for m in objects if m["kind"] == "StatefulSet" and m["metadata"]["name"] == "kafka-controller"]
    [container] = controllers["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["CLASSPATH"] == f"/etc/kafka/config/{JAR_NAME}"
    assert any(m["mountPath"] == "/etc/kafka/config" for m in container["volumeMounts"])
    zookeeper = manifests(KafkaOnKubernetesArgs(cluster="orders", storage_class="gp3-encrypted",
                                                metadata_mode="zookeeper", kafka_version="3.9.2",
                                                accept_version_risks=["CVE-2026-111115", "CVE-2026-111108",
                                                                      "CVE-2026-83525", "CVE-2026-111073",
                                                                      "end-of-support"]), {})
    assert not [m for m in zookeeper if m["kind"] == "ConfigMap" and "binaryData" in m]
