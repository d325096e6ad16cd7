"""The README's main job: a stack's program offline under mocks, judged by the pack."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from secure_kafka.gate import run_program
from secure_kafka.gate.__main__ import main as gate_main
from secure_kafka.gate.verdict import judge, mandatory_count

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_passes_the_gate(stack):
    run = run_program(ROOT, stack)
    types = [r.type for r in run.resources]
    assert "secure-kafka:aws:MskCluster" in types and "secure-kafka:aws:KafkaSecurityGroup" in types
    assert types.count("aws:ec2/securityGroup:SecurityGroup") == 1
    rules = [r for r in run.resources if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    assert rules and all(r.properties["fromPort"] != 9092 for r in rules)
    assert all(r.parent.endswith(f"secure-kafka:aws:KafkaSecurityGroup::kafka-{stack}-clients") for r in rules)
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack=stack,
                                  preview=True)
    assert len(verdicts) == len(run.resources)
    assert mandatory_count(verdicts, stack_diags) == 0
    assert run.outputs["securityGroupId"].startswith("sg-")


def test_gate_blocks_a_program_that_opens_kafka(tmp_path, capsys):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent("""
        import pulumi_aws as aws
        aws.ec2.SecurityGroup("open-kafka", ingress=[aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=9092, to_port=9092, cidr_blocks=["0.0.0.0/0"])])
    """))
    code = gate_main(["--stack", "dev", "--project-dir", str(tmp_path), "--policy-pack", str(ROOT / "policies")])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "open-kafka" in out and "KAFKA-NET-001" in out and "0.0.0.0/0" in out


def test_gate_reports_an_unknown_stack_clearly(tmp_path):
    with pytest.raises(SystemExit) as error:
        run_program(ROOT, "nope")
    assert "nope" in str(error.value) and "dev" in str(error.value)


def test_readme_command_runs_as_a_process():
    done = subprocess.run([sys.executable, "-m", "secure_kafka.gate", "--stack", "prod"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 mandatory" in done.stdout and "PASS" in done.stdout
