"""How `pulumi up` is made to replace brokers one at a time: the registered graph under SDK mocks
(gate commands chained between the instances), the gate's command line and credentials, and the
`roll-gate` CLI's refusals. The gate's judgement on real Kafka: tests/e2e/test_rolling.py."""
import shlex
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from helpers import ZK_ACCEPTED, ZK_MODE, assert_refused

from secure_kafka import ClientAccess, cli
from secure_kafka.aws.self_managed import SelfManagedKafka, SelfManagedKafkaArgs
from secure_kafka.gate.mockrun import record

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "command:local:Command"
INSTANCE = "aws:ec2/instance:Instance"
SECRET_SIG, SECRET_VALUE_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
ARGS = SelfManagedKafkaArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                            subnet_ids=SUBNETS, clients=[ClientAccess("deployer", cidr="10.0.99.0/24")])


def graph(args):
    run = record(lambda: SelfManagedKafka("kafka", args))
    urn = {r.name: r.urn for r in run.resources}
    return run, urn, {r.name: r for r in run.resources}


@pytest.mark.parametrize("mode", ["zookeeper", "kraft"])
def test_brokers_are_chained_through_gates_one_at_a_time(monitor, mode):
    run, urn, by_name = graph(replace(ARGS, metadata_mode=mode,
                                      accept_version_risks=ZK_ACCEPTED if mode == "zookeeper" else ()))
    brokers = sorted(r.name for r in run.resources if r.type == INSTANCE and "-broker-" in r.name)
    gates = sorted(r.name for r in run.resources if r.type == COMMAND)
    assert len(brokers) == 3 and len(gates) == 6
    for i in range(3):
        before, after = by_name[f"kafka-roll-before-{i}"], by_name[f"kafka-roll-after-{i}"]
        instance = by_name[f"kafka-broker-{i}"]
        assert urn[before.name] in instance.dependencies
        assert urn[instance.name] in after.dependencies
        if i:
            assert urn[f"kafka-roll-after-{i - 1}"] in before.dependencies
            # nothing lets broker i start changing before broker i-1 is back in sync
            assert urn[f"kafka-broker-{i - 1}"] not in instance.dependencies or urn[before.name] in instance.dependencies
        else:
            assert not [d for d in before.dependencies if "roll-after" in d]
    # the controllers / ZooKeeper nodes are not in the brokers' chain, but follow one another
    others = sorted((r for r in run.resources if r.type == INSTANCE and "-broker-" not in r.name), key=lambda r: r.name)
    assert len(others) == 3 and all(not [d for d in r.dependencies if "roll-" in d] for r in others)
    for previous, node in zip(others, others[1:]):
        assert urn[previous.name] in node.dependencies
    assert not [d for d in others[0].dependencies if d in {urn[o.name] for o in others}]


def _argv(command_line):
    argv = shlex.split(command_line)
    assert argv[:2] == ["secure-kafka", "roll-gate"]
    return cli.parser().parse_args(argv[1:])


def test_each_gate_runs_the_cli_with_credentials_only_in_its_secret_environment(monitor):
    run, _, by_name = graph(ARGS)
    for i in range(3):
        before, after = by_name[f"kafka-roll-before-{i}"].properties, by_name[f"kafka-roll-after-{i}"].properties
        assert "roll-gate" not in before["create"]  # a new broker has no running cluster to protect
        check = _argv(before["update"])
        assert (check.step, check.broker, check.brokers) == ("before", i, "0,1,2")
        first, again = _argv(after["create"]), _argv(after["update"])
        assert (first.step, first.broker, first.brokers) == ("after", i, ",".join(str(b) for b in range(i + 1)))
        assert (again.step, again.broker, again.brokers) == ("after", i, "0,1,2")
        hosts = first.bootstrap.split(",")
        assert len(hosts) == len(set(hosts)) == 3 and all(hp.endswith(":9094") for hp in hosts)
        for gate in ("before", "after"):
            node = by_name[f"kafka-roll-{gate}-{i}"]
            # as the engine receives it: the environment holds a secret (the key), so it travels as one
            envelope = node.properties["environment"]
            assert envelope.get(SECRET_SIG) == SECRET_VALUE_SIG, envelope
            env = envelope["value"]
            assert set(env) >= {"SECURE_KAFKA_GATE_CA_PEM", "SECURE_KAFKA_GATE_CERT_PEM", "SECURE_KAFKA_GATE_KEY_PEM"}
            assert not any("PRIVATE KEY" in node.properties[k] for k in ("create", "update"))
            assert "PRIVATE KEY" not in str({k: v for k, v in env.items() if k != "SECURE_KAFKA_GATE_KEY_PEM"})
        assert len(by_name[f"kafka-roll-before-{i}"].properties["environment"]["value"]["SECURE_KAFKA_NODE_CONFIG"]) == 64


def test_the_gate_identity_is_a_client_certificate_with_describe_only_acls(monitor):
    run, _, by_name = graph(ARGS)
    [request] = [r for r in run.resources if r.type == "tls:index/certRequest:CertRequest" and "gate" in r.name]
    assert request.properties["subject"]["commonName"] == "kafka-rollout"
    [broker0] = [r for r in run.resources if r.name == "kafka-broker-0"]
    runcmd = " ".join(c[-1] for c in yaml.safe_load(broker0.properties["userData"])["runcmd"] if c[0] == "/bin/bash")
    rollout_lines = [part for part in runcmd.split("; done") if "User:kafka-rollout" in part]
    assert len(rollout_lines) == 2
    assert {"Describe", "DescribeConfigs"} == {shlex.split(l)[shlex.split(l).index("--operation") + 1]
                                               for l in rollout_lines}
    assert all("--topic '*'" in l for l in rollout_lines)


def test_with_kafka_tools_where_pulumi_runs_kraft_controllers_are_gated_on_the_quorum(monitor):
    """Each controller is replaced only while the quorum can lose a member, the next only once the
    replaced one is a caught-up voter again: asked through the brokers' TLS listener (the machine
    running `pulumi up` reaches nothing else), with Kafka's tool from `rollout_kafka_home`."""
    run, urn, by_name = graph(replace(ARGS, metadata_mode="kraft", rollout_kafka_home="/opt/kafka"))
    controllers = sorted(r.name for r in run.resources if r.type == INSTANCE and "-ctl-" in r.name)
    gates = sorted(r.name for r in run.resources if r.type == COMMAND and "-ctl-roll-" in r.name)
    assert len(controllers) == 3 and len(gates) == 6
    for i, name in enumerate(controllers):
        before, after = by_name[f"kafka-ctl-roll-before-{i}"], by_name[f"kafka-ctl-roll-after-{i}"]
        assert urn[before.name] in by_name[name].dependencies and urn[name] in after.dependencies
        if i:
            assert urn[f"kafka-ctl-roll-after-{i - 1}"] in before.dependencies
        for gate, step in ((before, "before"), (after, "after")):
            assert "roll-gate" not in gate.properties["create"]  # the brokers do not exist yet
            check = _argv(gate.properties["update"])
            assert (check.step, check.controller, check.broker, str(check.kafka_home)) == (step, 1000 + i, None,
                                                                                              "/opt/kafka")
            hosts = check.bootstrap.split(",")
            assert len(hosts) == 3 and all(h.endswith(":9094") for h in hosts)  # the brokers, not the controllers
            envelope = gate.properties["environment"]
            assert envelope.get(SECRET_SIG) == SECRET_VALUE_SIG and "SECURE_KAFKA_GATE_KEY_PEM" in envelope["value"]
    runcmd = by_name["kafka-broker-0"].properties["userData"]
    lines = [part for part in runcmd.split("; done") if "User:kafka-rollout" in part]
    assert len(lines) == 3 and len([l for l in lines if "--cluster" in l and "--operation Describe " in l]) == 1


def test_without_the_gate_brokers_still_change_one_at_a_time(monitor):
    run, urn, by_name = graph(replace(ARGS, rollout_gate=False))
    assert not [r for r in run.resources if r.type == COMMAND]
    assert not [r for r in run.resources if r.type == "tls:index/certRequest:CertRequest" and "gate" in r.name]
    for i in (1, 2):
        assert urn[f"kafka-broker-{i - 1}"] in by_name[f"kafka-broker-{i}"].dependencies
    assert "User:kafka-rollout" not in by_name["kafka-broker-0"].properties["userData"]


BAD = [
    ({"rollout_gate": "yes"}, "rollout_gate", "true or false"),
    ({"listeners": ("SASL_SSL",)}, "rollout_gate", "the SSL listener"),
    ({"rollout_kafka_home": "/opt/kafka", **ZK_MODE}, "rollout_kafka_home", "with metadata_mode kraft"),
    ({"rollout_kafka_home": "opt/kafka", "metadata_mode": "kraft"}, "rollout_kafka_home", "an absolute path"),
    ({"rollout_kafka_home": "/opt/kafka", "metadata_mode": "kraft", "rollout_gate": False}, "rollout_kafka_home",
     "rollout_gate on"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_gate_settings_are_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(ARGS, **change)), setting, fragment)


def test_the_cli_refuses_a_gate_without_credentials_or_with_a_stranger_broker(capsys, monkeypatch):
    for name in ("SECURE_KAFKA_GATE_CA_PEM", "SECURE_KAFKA_GATE_CERT_PEM", "SECURE_KAFKA_GATE_KEY_PEM"):
        monkeypatch.delenv(name, raising=False)
    base = ["roll-gate", "after", "--brokers", "0,1,2", "--bootstrap", "127.0.0.1:1"]
    assert cli.main([*base, "--broker", "5"]) == 2
    assert "--broker 5: not among --brokers 0,1,2" in capsys.readouterr().err
    assert cli.main([*base, "--broker", "1"]) == 2
    assert "SECURE_KAFKA_GATE_CA_PEM is not set to a PEM value" in capsys.readouterr().err
    assert cli.main([*base[:3], "zero,one", *base[4:], "--broker", "0"]) == 2
    assert "broker ids separated by commas" in capsys.readouterr().err
    controller = ["roll-gate", "after", "--bootstrap", "127.0.0.1:1", "--controller", "1000"]
    assert cli.main(controller) == 2
    assert "--kafka-home None: with --controller, a Kafka installation" in capsys.readouterr().err
    assert cli.main([*controller, "--broker", "0"]) == 2
    assert "one of --broker N (with --brokers) or --controller NODE_ID" in capsys.readouterr().err
    assert cli.main(["roll-gate", "after", "--bootstrap", "127.0.0.1:1", "--broker", "0"]) == 2
    assert "--broker 0: needs --brokers" in capsys.readouterr().err
