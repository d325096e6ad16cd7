"""One validation pass per component: every bad setting of the Args at once, in the validator's order,
one error per setting, none invented by an earlier mistake, and nothing registered."""
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from secure_kafka import (ClientAccess, ConfigError, KafkaOnKubernetes, KafkaOnKubernetesArgs, MskCluster,
                          MskClusterArgs, SelfManagedKafka, SelfManagedKafkaArgs)
from secure_kafka.cli import main
from secure_kafka.model.problems import ConfigErrors, Problems

ROOT = Path(__file__).resolve().parents[2]
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
CLIENTS = [ClientAccess("orders", cidr="10.0.32.0/20")]
MSK = MskClusterArgs(vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS, clients=CLIENTS)
SELF = SelfManagedKafkaArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                            subnet_ids=SUBNETS, clients=CLIENTS)
K8S = KafkaOnKubernetesArgs(cluster="events", storage_class="gp3-encrypted")


def refused_all(monitor, build):
    with pytest.raises(ConfigError) as error:
        build()
    assert monitor.recorded == []
    return error.value


@pytest.mark.parametrize("build, changes, settings", [
    (lambda a: MskCluster("kafka", a), dict(instance_type="kafka.m9.huge", volume_size_gib=0, enhanced_monitoring="ALL"),
     ["instance_type", "volume_size_gib", "enhanced_monitoring"]),
    (lambda a: SelfManagedKafka("kafka", a), dict(vpc_id="vpc-nope", listeners=("PLAINTEXT",), broker_count=99,
                                                  zookeeper_count=4),
     ["vpc_id", "listeners", "broker_count", "zookeeper_count"]),
    (lambda a: KafkaOnKubernetes("kafka", a), dict(namespace="kube-kafka", broker_count=1, image="apache/kafka:latest",
                                                   client_service_type="Ingress"),
     ["namespace", "broker_count", "image", "client_service_type"]),
], ids=["msk", "self-managed", "kubernetes"])
def test_every_bad_setting_is_reported_at_once_in_check_order(monitor, build, changes, settings):
    base = {"msk": MSK, "self-managed": SELF, "kubernetes": K8S}
    args = next(a for a in base.values() if all(hasattr(a, k) for k in changes))
    error = refused_all(monitor, lambda: build(replace(args, **changes)))
    assert isinstance(error, ConfigErrors)
    assert [e.setting for e in error.errors] == settings
    assert error.setting == settings[0]  # a caller that handles one ConfigError still names a real setting
    lines = str(error).splitlines()
    assert lines[0] == f"{len(settings)} settings are not allowed:"
    assert [line.split("=", 1)[0] for line in lines[1:]] == [f"  - {s}" for s in settings]
    for one, value in zip(error.errors, [changes[s] for s in settings]):
        assert one.value == value and repr(value) in str(error)


def test_mistyped_arguments_are_reported_together_before_any_meaning(monitor):
    error = refused_all(monitor, lambda: SelfManagedKafka("kafka", replace(SELF, broker_count="3", rollout_gate="yes",
                                                                           vpc_id="vpc-nope")))
    assert [e.setting for e in error.errors] == ["broker_count", "rollout_gate"]  # vpc_id waits for the types
    assert "(pass 3 without quotes)" in str(error.errors[0])


def test_one_mistake_is_one_error_not_a_cascade(monitor):
    # the broker count is wrong: the replication factor and min ISR, judged against it, are not blamed
    error = refused_all(monitor, lambda: MskCluster("kafka", replace(MSK, broker_count=4)))
    assert not isinstance(error, ConfigErrors) and error.setting == "broker_count"
    error = refused_all(monitor, lambda: KafkaOnKubernetes("kafka", replace(K8S, broker_count=1, replication_factor=3)))
    assert not isinstance(error, ConfigErrors) and error.setting == "broker_count"
    # a bad VPC id is the brokers' and the ZooKeeper ensemble's: reported once
    error = refused_all(monitor, lambda: SelfManagedKafka("kafka", replace(SELF, vpc_id="vpc-nope")))
    assert not isinstance(error, ConfigErrors) and error.setting == "vpc_id"


def test_a_single_error_reads_as_before():
    error = None
    try:
        Problems().__exit__(ConfigError, ConfigError("a", 1, "2"), None)
        problems = Problems()
        with problems:
            raise ConfigError("broker_count", 4, "a multiple of 3")
        problems.raise_all()
    except ConfigError as caught:
        error = caught
    assert type(error) is ConfigError and str(error) == "broker_count=4 is not allowed: a multiple of 3"


def test_only_configuration_errors_are_collected():
    problems = Problems()
    with pytest.raises(KeyError):
        with problems:
            raise KeyError("a bug is not a setting")
    assert problems.errors == []


def test_the_gate_names_every_bad_stack_setting_and_registers_nothing(tmp_path, capsys):
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    config["config"]["secure-kafka:msk"].update({"instanceType": "kafka.m9.huge", "logRetentionDays": 31})
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "stacks" / "Pulumi.ci.yaml").write_text(yaml.safe_dump(config))
    assert main(["preview", "--project-dir", str(tmp_path), "--stack", "ci", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert "nothing was registered" in lines[0] and "2 settings are not allowed:" in lines[0]
    assert lines[1].startswith("  - secure-kafka:msk.instanceType='kafka.m9.huge' is not allowed")
    assert lines[2].startswith("  - secure-kafka:msk.logRetentionDays=31 is not allowed")
    assert len(lines) == 3
