"""One argument vocabulary across platforms and stack keys, and the 0.2.0 names kept for one release: an
old argument or stack key still works, says its new name once, and never silently wins over the new one."""
import copy
import dataclasses
import json
import warnings
from pathlib import Path

import pulumi
import pytest
import yaml

import secure_kafka
from secure_kafka import (ConfigError, KafkaOnKubernetesArgs, KRaftControllerQuorumArgs, SelfManagedKafkaArgs,
                          ZooKeeperEnsembleArgs)
from secure_kafka.cli import main
from secure_kafka.model.renames import deprecated_names
from secure_kafka.stack.config import load

ROOT = Path(__file__).resolve().parents[2]
SUBNETS = ["subnet-0a1000000000000a1", "subnet-0b1000000000000b2", "subnet-0c1000000000000c3"]
AWS = dict(cluster="orders", vpc_id="vpc-0123456789abcdef0", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS)

# (class, required arguments, old name, new name, a value that is not the default)
RENAMES = [
    (KafkaOnKubernetesArgs, dict(cluster="orders"), "brokers", "broker_count", 5),
    (KafkaOnKubernetesArgs, dict(cluster="orders"), "zookeepers", "zookeeper_count", 5),
    (KafkaOnKubernetesArgs, dict(cluster="orders"), "controllers", "controller_count", 5),
    (SelfManagedKafkaArgs, AWS, "zookeeper_nodes", "zookeeper_count", 5),
    (SelfManagedKafkaArgs, AWS, "controller_nodes", "controller_count", 5),
    (ZooKeeperEnsembleArgs, AWS, "node_count", "zookeeper_count", 5),
    (KRaftControllerQuorumArgs, AWS, "node_count", "controller_count", 5),
]


def fields(cls):
    return {f.name for f in dataclasses.fields(cls)}


def test_the_same_thing_has_the_same_name_on_every_platform():
    public = {n: getattr(secure_kafka, n) for n in secure_kafka.__all__ if n.endswith("Args")}
    brokers = {n for n, c in public.items() if "broker_count" in fields(c)}
    assert brokers == {"MskClusterArgs", "SelfManagedKafkaArgs", "KafkaOnKubernetesArgs"}
    assert {n for n, c in public.items() if "zookeeper_count" in fields(c)} == {
        "SelfManagedKafkaArgs", "KafkaOnKubernetesArgs", "ZooKeeperEnsembleArgs"}
    assert {n for n, c in public.items() if "controller_count" in fields(c)} == {
        "SelfManagedKafkaArgs", "KafkaOnKubernetesArgs", "KRaftControllerQuorumArgs"}
    aws = {"MskClusterArgs", "SelfManagedKafkaArgs", "ZooKeeperEnsembleArgs", "KRaftControllerQuorumArgs",
           "NodeGroupArgs"}
    assert {n for n, c in public.items() if "subnet_ids" in fields(c)} == aws
    # the release every platform runs, and the risks accepted for it, under one name each
    kafka = aws | {"KafkaOnKubernetesArgs"}
    assert {n for n, c in public.items() if "kafka_version" in fields(c)} == kafka
    assert {n for n, c in public.items() if "accept_version_risks" in fields(c)} == kafka
    old = {"brokers", "zookeepers", "controllers", "node_count", "zookeeper_nodes", "controller_nodes"}
    assert {(n, f) for n, c in public.items() for f in fields(c) & old} == set()


@pytest.mark.parametrize("cls, required, old, new, value", RENAMES, ids=lambda v: getattr(v, "__name__", None))
def test_an_old_argument_name_still_works_and_warns_with_the_new_one(cls, required, old, new, value):
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\({old}=\.\.\.\) is deprecated since 0\.3\.0: "
                                                rf"use {new}=") as seen:
        args = cls(**required, **{old: value})
    assert len(seen) == 1 and seen[0].filename == __file__  # points at the caller, not at the library
    assert getattr(args, new) == value and args == cls(**required, **{new: value})
    assert deprecated_names(cls)[old] == new
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\.{old} is deprecated since 0\.3\.0: read {new}"):
        assert getattr(args, old) == value


@pytest.mark.parametrize("cls, required, old, new, value", RENAMES, ids=lambda v: getattr(v, "__name__", None))
def test_old_and_new_name_together_is_refused(cls, required, old, new, value):
    with pytest.raises(ConfigError) as error:
        cls(**required, **{old: value, new: value})
    assert error.value.setting == old and f"{new} alone" in str(error.value)


def test_the_new_names_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        args = KafkaOnKubernetesArgs(cluster="orders", broker_count=4, zookeeper_count=5)
        assert (args.broker_count, args.zookeeper_count, args.controller_count) == (4, 5, 3)
        assert dataclasses.replace(args, broker_count=6).broker_count == 6


def stack(name):
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"]


def as_cli(config):
    return {k.split(":", 1)[1]: v if isinstance(v, str) else json.dumps(v)
            for k, v in config.items() if k.startswith("secure-kafka:")}


@pytest.mark.parametrize("name, block, old, new, bad", [
    ("k8s", "kubernetes", "brokers", "brokerCount", 1),
    ("k8s", "kubernetes", "zookeepers", "zookeeperCount", 4),
    ("selfmanaged", "selfManaged", "zookeeperNodes", "zookeeperCount", 4),
    ("kraft", "selfManaged", "controllerNodes", "controllerCount", 4),
])
def test_an_old_stack_key_reads_as_the_new_one_with_one_note(name, block, old, new, bad, monkeypatch):
    logged = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: logged.append(message))
    config = stack(name)
    assert new in config[f"secure-kafka:{block}"]  # the shipped stacks use the new key
    renamed = copy.deepcopy(config)
    section = renamed[f"secure-kafka:{block}"]
    section[old] = section.pop(new)
    current, before = load(as_cli(config)), load(as_cli(renamed))
    assert before.args == current.args and current.deprecations == ()
    note = (f"secure-kafka:{block}.{old} is deprecated since 0.3.0: write secure-kafka:{block}.{new} "
            "(the old key goes in 0.4.0)")
    assert before.deprecations == (note,)
    assert logged == [note]  # as a diagnostic of `pulumi up`
    # a bad value under the old key is reported under the key as written
    section[old] = bad
    with pytest.raises(ConfigError) as error:
        load(as_cli(renamed))
    assert error.value.setting == f"secure-kafka:{block}.{old}"
    # both keys at once: which one was meant cannot be guessed
    section[new] = 3
    with pytest.raises(ConfigError) as error:
        load(as_cli(renamed))
    assert error.value.setting == f"secure-kafka:{block}.{old}" and f"{new} alone" in str(error.value)


def test_the_gate_passes_a_stack_with_an_old_key_and_says_so(tmp_path, capsys):
    text = (ROOT / "stacks" / "Pulumi.k8s.yaml").read_text()
    assert "    brokerCount: 3\n" in text
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "stacks" / "Pulumi.ci.yaml").write_text(text.replace("    brokerCount: 3\n", "    brokers: 3\n"))
    code = main(["preview", "--project-dir", str(tmp_path), "--stack", "ci", "--quiet"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert ("warning: secure-kafka:kubernetes.brokers is deprecated since 0.3.0: write "
            "secure-kafka:kubernetes.brokerCount") in err
