"""The example programs in examples/ (one per platform, each reading another stack through a
StackReference) judged by the gate as a user runs it: secure-kafka preview with --stack-outputs."""
import json
from pathlib import Path

import pytest

from secure_kafka.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "msk-shared-vpc": ("acme/network/prod", "network-prod.json", {"bootstrapBrokersSaslIam", "securityGroupId",
                                                                  "clientPolicyArns"}),
    "self-managed-shared-vpc": ("acme/network/prod", "network-prod.json", {"bootstrapServersTls",
                                                                           "bootstrapServersSaslSsl", "caCertPem",
                                                                           "clientSecretArns"}),
    "kubernetes-eks": ("acme/eks/prod", "eks-prod.json", {"bootstrapServers", "caCertPem"}),
}


def test_every_example_is_listed():
    found = sorted(p.parent.name for p in (ROOT / "examples").glob("*/Pulumi.yaml"))
    assert len(found) == 3
    assert found == sorted(EXAMPLES)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_passes_the_gate_with_the_other_stacks_outputs(example, tmp_path, capsys):
    reference, outputs_file, exported = EXAMPLES[example]
    where = ROOT / "examples" / example
    report = tmp_path / "report.json"
    code = main(["preview", "--project-dir", str(where), "--stack", "prod", "--quiet", "--format", "json",
                 "--output", str(report), "--stack-outputs", f"{reference}={where / outputs_file}"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(report.read_text())
    assert data["summary"]["mandatory"] == 0 and data["summary"]["resources"] > 10
    assert set(data["outputs"]) == exported
    given = json.loads((where / outputs_file).read_text())
    text = json.dumps(data["outputs"])
    assert "Output object" not in text
    if "vpcId" in given:  # the network stack's key encrypts what the example creates, no key of its own
        assert not [r for r in data["resources"] if r["type"] == "aws:kms/key:Key"]


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_without_the_other_stacks_outputs_is_one_clear_error(example, capsys):
    reference = EXAMPLES[example][0]
    code = main(["preview", "--project-dir", str(ROOT / "examples" / example), "--stack", "prod", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert f"--stack-outputs {reference}=FILE" in err[0] and "pulumi stack output --json" in err[0]


def test_a_bad_output_of_the_network_stack_is_refused_as_configuration(tmp_path, capsys):
    where = ROOT / "examples" / "msk-shared-vpc"
    bad = {**json.loads((where / "network-prod.json").read_text()), "vpcCidr": "0.0.0.0/0"}
    (tmp_path / "network.json").write_text(json.dumps(bad))
    code = main(["preview", "--project-dir", str(where), "--stack", "prod", "--quiet",
                 "--stack-outputs", f"acme/network/prod={tmp_path / 'network.json'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("secure-kafka: stack prod: configuration refused, nothing was registered: "
                             "vpc_cidr='0.0.0.0/0' is not allowed")


@pytest.mark.parametrize("value, fragment", [
    ("acme/network/prod", "expected STACK=FILE"),
    ("acme/network/prod=/nonexistent/outputs.json", "cannot read it"),
    ("acme/network/prod={bad}", "not JSON"),
    ("acme/network/prod={list}", "expected a JSON object of outputs, found list"),
])
def test_stack_outputs_flag_refuses_bad_values(value, fragment, tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    value = value.format(bad=tmp_path / "bad.json", list=tmp_path / "list.json")
    code = main(["preview", "--project-dir", str(ROOT / "examples" / "msk-shared-vpc"), "--stack", "prod",
                 "--quiet", "--stack-outputs", value])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err
