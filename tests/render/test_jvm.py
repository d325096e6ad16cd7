"""The JVM properties every Kafka process runs with, by release: an allow-list of login modules from
Kafka 4.2 (KIP-1135), the deny-list (JNDI, LDAP, PLAIN) before it, no OAUTHBEARER endpoint on either —
and every place a Kafka JVM of ours starts carries them. (What they refuse is proven on the real
releases in tests/e2e/test_jvm_properties.py.)"""
import pytest

from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs
from secure_kafka.kubernetes.manifests import manifests
from secure_kafka.render.cloudinit import NodeBoot, systemd_unit
from secure_kafka.render.jvm import (ALLOWED_MODULES_PROPERTY, DENIED_MODULES_PROPERTY, OAUTH_URLS_PROPERTY,
                                     PLAIN_LOGIN_MODULE, SCRAM_LOGIN_MODULE, jvm_options, security_properties,
                                     tool_options, with_tool_options)


@pytest.mark.parametrize("version,allowed", [("4.4.0", True), ("4.2.2", True), ("4.1.2", False), ("3.9.2", False)])
def test_each_release_gets_the_list_it_reads(version, allowed):
    props = security_properties(version)
    assert props[OAUTH_URLS_PROPERTY] == ""  # 3.9 allows every URL unless told
    if allowed:
        assert props[ALLOWED_MODULES_PROPERTY] == SCRAM_LOGIN_MODULE and DENIED_MODULES_PROPERTY not in props
    else:
        denied = props[DENIED_MODULES_PROPERTY].split(",")
        assert {"com.sun.security.auth.module.JndiLoginModule", "com.sun.security.auth.module.LdapLoginModule",
                PLAIN_LOGIN_MODULE} == set(denied) and ALLOWED_MODULES_PROPERTY not in props


def test_flags_spell_an_empty_list_explicitly():
    assert f"-D{OAUTH_URLS_PROPERTY}=" in jvm_options("4.4.0")
    assert all(flag.startswith("-Dorg.apache.kafka.") and " " not in flag for flag in jvm_options("3.9.2"))


@pytest.mark.parametrize("version", ["3.9.2", "4.4.0"])
def test_the_ec2_service_starts_kafka_with_them(version):
    unit = systemd_unit(NodeBoot("kafka", "broker-0", "eu-west-1", "arn:x", "/etc/kafka/server.properties", {},
                                 kafka_version=version))
    [line] = [l for l in unit.splitlines() if "KAFKA_OPTS=" in l]
    assert line == 'Environment="KAFKA_OPTS=' + " ".join(jvm_options(version)) + '"'


@pytest.mark.parametrize("mode,version", [("kraft", "4.4.0"), ("zookeeper", "3.9.2")])
def test_every_kubernetes_container_starts_with_them(mode, version):
    from kafka_guardrails.versions import risk_ids

    args = KafkaOnKubernetesArgs(cluster="c", storage_class="s", metadata_mode=mode,
                                 accept_version_risks=risk_ids(version, mode))
    secrets = {"kafka-tls": {}, "zookeeper-tls": {}, "controller-tls": {}}
    containers = [c for m in manifests(args, secrets, "AAAAAAAAAAAAAAAAAAAAAA")
                  if m["kind"] in ("StatefulSet", "Job")
                  for c in m["spec"]["template"]["spec"]["containers"]]
    assert len(containers) == 3  # brokers, the quorum, the ACL job
    for container in containers:
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["KAFKA_OPTS"] == " ".join(jvm_options(version)), container["name"]


def test_the_ops_tools_add_both_lists_to_what_the_operator_set():
    assert set(tool_options()) == set(jvm_options("3.9.2")) | set(jvm_options("4.4.0"))
    env = with_tool_options({"KAFKA_OPTS": "-Xmx64m", "PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["KAFKA_OPTS"].split() == ["-Xmx64m", *tool_options()]
    assert with_tool_options({})["KAFKA_OPTS"].split() == list(tool_options())


def test_the_quorum_tool_runs_with_them(monkeypatch, tmp_path):
    import subprocess

    from secure_kafka.ops.rolling import quorum_tool

    seen = {}

    def fake(argv, **kwargs):
        seen.update(kwargs)
        return subprocess.CompletedProcess(argv, 1, "", "no quorum here")

    monkeypatch.setattr(subprocess, "run", fake)
    with pytest.raises(RuntimeError, match="no quorum here"):
        quorum_tool(str(tmp_path), "b:9094", "c.properties")()
    assert set(tool_options()) <= set(seen["env"]["KAFKA_OPTS"].split())
