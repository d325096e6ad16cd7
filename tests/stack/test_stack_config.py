"""Stack config as users write it: every wrong key or type is one line naming the key, the value and
what is allowed; nothing is registered; no traceback; exit code 2 through the gate."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from secure_kafka.cli import main
from secure_kafka.stack.config import load
from secure_kafka.model.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def stack(name):
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"]


def as_cli(config):
    """What the Pulumi CLI hands the program: the namespace's keys, scalars as strings, blocks as JSON."""
    out = {}
    for key, value in config.items():
        if key.startswith("secure-kafka:"):
            out[key.split(":", 1)[1]] = value if isinstance(value, str) else json.dumps(value)
    return out


def change(name, edit):
    config = copy.deepcopy(stack(name))
    edit(config)
    return config


def refused(config, setting, *fragments):
    with pytest.raises(ConfigError) as error:
        load(as_cli(config))
    text = str(error.value)
    assert error.value.setting == setting, text
    assert all(f in text for f in fragments), text
    assert "\n" not in text
    return text


CASES = [
    ("top-level-typo", "dev", lambda c: c.__setitem__("secure-kafka:platfrom", "msk"), "secure-kafka:platfrom",
     ["secure-kafka:platform", "a known setting"]),
    ("top-level-case", "dev", lambda c: c.__setitem__("secure-kafka:clustername", "x"), "secure-kafka:clustername",
     ["secure-kafka:clusterName"]),
    ("misspelled-block", "dev", lambda c: c.__setitem__("secure-kafka:mks", {"brokerCount": 2}), "secure-kafka:mks",
     ["secure-kafka:msk"]),
    ("other-platforms-block", "dev", lambda c: c.__setitem__("secure-kafka:kubernetes", {"brokerCount": 3}),
     "secure-kafka:kubernetes", ["platform is msk"]),
    ("block-typo", "dev", lambda c: c["secure-kafka:msk"].__setitem__("brokerCont", 2), "secure-kafka:msk.brokerCont",
     ["brokerCount"]),
    ("nested-block-typo", "selfmanaged", lambda c: c["secure-kafka:selfManaged"]["quota"].__setitem__("producerRate", 1),
     "secure-kafka:selfManaged.quota.producerRate", ["producerByteRate"]),
    ("quoted-boolean", "dev", lambda c: c["secure-kafka:msk"].__setitem__("inClusterEncryption", "true"),
     "secure-kafka:msk.inClusterEncryption", ["true or false", "without quotes"]),
    ("quoted-number", "dev", lambda c: c["secure-kafka:msk"].__setitem__("brokerCount", "2"),
     "secure-kafka:msk.brokerCount", ["a whole number", "write 2 without quotes"]),
    ("list-for-a-map", "dev", lambda c: c.__setitem__("secure-kafka:msk", [{"brokerCount": 2}]), "secure-kafka:msk",
     ["a mapping of settings", "not a list"]),
    ("map-for-a-list", "dev", lambda c: c["secure-kafka:msk"].__setitem__("subnetIds", {"a": "subnet-1"}),
     "secure-kafka:msk.subnetIds", ["a list of"]),
    ("rate-with-a-unit", "selfmanaged", lambda c: c["secure-kafka:selfManaged"]["quota"].__setitem__("producerByteRate", "10MB"),
     "secure-kafka:selfManaged.quota.producerByteRate", ["a whole number", "10485760, not 10MB"]),
    ("yaml-read-a-version-as-a-number", "dev", lambda c: c["secure-kafka:msk"].__setitem__("kafkaVersion", 3.10),
     "secure-kafka:msk.kafkaVersion", ["3.1", "quote one of the accepted values"]),
    ("yaml-read-3.9-as-a-number", "dev", lambda c: c["secure-kafka:msk"].__setitem__("kafkaVersion", 3.9),
     "secure-kafka:msk.kafkaVersion", ['quote one of the accepted values, e.g. "3.9.x" (or "3.9.x.kraft")']),
    ("yes-for-a-boolean", "dev", lambda c: c["secure-kafka:msk"].__setitem__("inClusterEncryption", "yes"),
     "secure-kafka:msk.inClusterEncryption", ["true or false", "write true without quotes"]),
    ("cidr-octet-out-of-range", "dev", lambda c: c.__setitem__("secure-kafka:vpcCidr", "10.0.300.0/16"),
     "secure-kafka:vpcCidr", ["part 3 of the address, '300', is not a number 0-255"]),
    ("cidr-prefix-too-long", "dev", lambda c: c["secure-kafka:clients"][0].__setitem__("cidr", "10.0.0.0/40"),
     "secure-kafka:clients[0].cidr", ["the prefix length /40 is more than 32"]),
    ("cidr-without-a-prefix", "dev", lambda c: c.__setitem__("secure-kafka:vpcCidr", "10.0.0.0"),
     "secure-kafka:vpcCidr", ["the prefix length is missing (write 10.0.0.0/NN)"]),
    ("a-version-msk-does-not-run", "dev", lambda c: c["secure-kafka:msk"].__setitem__("kafkaVersion", "3.9.1"),
     "secure-kafka:msk.kafkaVersion", ["3.9.x", "4.0.x.kraft"]),
    ("a-misspelled-broker-type", "dev", lambda c: c["secure-kafka:msk"].__setitem__("instanceType", "kafka.t3.smal"),
     "secure-kafka:msk.instanceType", ["kafka.t3.small", "kafka.m7g.large"]),
    ("a-misspelled-ec2-type", "selfmanaged", lambda c: c["secure-kafka:selfManaged"].__setitem__("instanceType", "m6i.xlarg"),
     "secure-kafka:selfManaged.instanceType", ["m6i", "xlarge"]),
    ("world-vpc-cidr", "dev", lambda c: c.__setitem__("secure-kafka:vpcCidr", "0.0.0.0/0"), "secure-kafka:vpcCidr",
     ["a private range"]),
    ("public-vpc-cidr", "selfmanaged", lambda c: c.__setitem__("secure-kafka:vpcCidr", "52.0.0.0/16"),
     "secure-kafka:vpcCidr", ["a private range"]),
    ("vpc-cidr-with-host-bits", "dev", lambda c: c.__setitem__("secure-kafka:vpcCidr", "10.10.0.1/16"),
     "secure-kafka:vpcCidr", ["host bits are set after /16: the network is 10.10.0.0/16"]),
    ("missing-vpc", "dev", lambda c: c.pop("secure-kafka:vpcId"), "secure-kafka:vpcId", ["needs it"]),
    ("vpc-on-kubernetes", "k8s", lambda c: c.__setitem__("secure-kafka:vpcId", "vpc-0123456789abcdef0"),
     "secure-kafka:vpcId", ["kubernetes"]),
    ("clients-typo", "dev", lambda c: c["secure-kafka:clients"][0].__setitem__("cdir", "10.0.0.0/24"),
     "secure-kafka:clients[0].cdir", ["cidr"]),
    ("number-for-a-name", "dev", lambda c: c.__setitem__("secure-kafka:clusterName", 7), "secure-kafka:clusterName",
     ["'7'", "starting with a letter"]),
]


@pytest.mark.parametrize("name,base,edit,setting,fragments", CASES, ids=[c[0] for c in CASES])
def test_every_mistake_is_one_line_naming_key_value_and_what_is_allowed(name, base, edit, setting, fragments):
    refused(change(base, edit), setting, *fragments)


def test_the_stacks_as_shipped_load(monkeypatch):
    assert len(CASES) >= 20
    for name in ("dev", "staging", "prod", "selfmanaged", "k8s"):
        assert load(as_cli(stack(name))).environment in ("dev", "staging", "prod")


def test_kraft_versions_load_and_have_no_zookeeper_output():
    from secure_kafka.gate.mockrun import record
    from secure_kafka.stack.platforms import build

    config = change("dev", lambda c: c["secure-kafka:msk"].__setitem__("kafkaVersion", "3.9.x.kraft"))
    settings = load(as_cli(config))
    run = record(lambda: [__import__("pulumi").export(k, v) for k, v in build(settings).items()])
    assert "zookeeperConnectString" not in run.outputs and run.outputs["bootstrapBrokersSaslIam"]
    [cluster] = [r for r in run.resources if r.type == "aws:msk/cluster:Cluster"]
    assert cluster.properties["kafkaVersion"] == "3.9.x.kraft"


@pytest.mark.parametrize("name", ["yaml-read-a-version-as-a-number", "top-level-typo", "rate-with-a-unit",
                                  "world-vpc-cidr"])
def test_through_the_gate_it_is_exit_2_one_line_and_nothing_registered(tmp_path, capsys, name):
    _, base, edit, setting, _ = next(c for c in CASES if c[0] == name)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "stacks" / "Pulumi.ci.yaml").write_text(yaml.safe_dump({"config": change(base, edit)}))
    assert main(["preview", "--project-dir", str(tmp_path), "--stack", "ci"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and setting in captured.err, captured.err
    assert "nothing was registered" in captured.err


def _gate(tmp_path, capsys, text):
    (tmp_path / "stacks").mkdir(exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "stacks" / "Pulumi.ci.yaml").write_text(text)
    code = main(["preview", "--project-dir", str(tmp_path), "--stack", "ci", "--quiet"])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return code, lines[0]


def test_yes_in_a_stack_file_is_a_string_as_the_pulumi_cli_reads_it(tmp_path, capsys):
    """YAML 1.2 (the CLI's) has no `yes` boolean: the gate must not accept what `pulumi up` refuses."""
    text = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "    logRetentionDays: 30\n" in text
    code, line = _gate(tmp_path, capsys, text.replace("    logRetentionDays: 30\n",
                                                      "    logRetentionDays: 30\n    inClusterEncryption: yes\n"))
    assert code == 2 and "secure-kafka:msk.inClusterEncryption='yes'" in line and "write true without quotes" in line


def test_a_typo_in_the_stack_files_config_key_is_reported(tmp_path, capsys):
    text = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    code, line = _gate(tmp_path, capsys, text.replace("\nconfig:", "\nconfigs:", 1))
    assert code == 2 and "'configs' is not a key of a stack file (did you mean 'config'?)" in line, line


@pytest.mark.parametrize("key", ["secure_kafka:vpcId", "secure-kafak:msk"])
def test_a_key_in_a_namespace_nobody_reads_is_refused(tmp_path, capsys, key):
    text = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    code, line = _gate(tmp_path, capsys, text.replace("\nconfig:\n", f"\nconfig:\n  {key}: vpc-0123456789abcdef0\n", 1))
    name = key.split(":")[1]
    assert code == 2 and key in line and f"secure-kafka:{name}" in line and "read by nothing" in line, line
    assert "nothing was registered" in line


def test_a_mistyped_python_argument_is_not_a_whole_number():
    from secure_kafka import ClientAccess, MskClusterArgs, SelfManagedKafkaArgs
    from secure_kafka.aws.self_managed import validate_kafka_args
    from secure_kafka.aws.msk import validate_msk_args

    subnets = [f"subnet-0123456789abcdef{i}" for i in range(3)]
    common = dict(vpc_id="vpc-0123456789abcdef0", vpc_cidr="10.0.0.0/16", subnet_ids=subnets,
                  clients=[ClientAccess("app", cidr="10.0.1.0/24")])
    with pytest.raises(ConfigError) as error:
        validate_msk_args("orders", MskClusterArgs(**common, broker_count="3"))
    assert str(error.value) == ("broker_count='3' is not allowed: a whole number: '3' is a str, not a whole number "
                                "(pass 3 without quotes)")
    with pytest.raises(ConfigError) as error:
        validate_kafka_args(SelfManagedKafkaArgs(cluster="orders", **common, data_gib=500.5))
    assert error.value.setting == "data_gib" and "500.5 is a float, not a whole number" in str(error.value)
