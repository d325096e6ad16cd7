"""The GitHub workflow users copy, executed: its install step from a pinned git URL (conftest's
workflow_install), then its discovery and judging steps in temporary repositories of each kind — a Pulumi
program, Terraform only, Kubernetes manifests only, CloudFormation only — clean and exposed, with the SARIF
it would upload; its checkov step with the installed checks; and what it refuses to install."""
import json
import re
import shlex
import shutil
import textwrap
from pathlib import Path

import jsonschema
import pytest

from secure_kafka.cli import parser
from workflow_runner import WORKFLOW, Runner, workflow

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.user
JUDGE = ["Find what the repository deploys", "Judge it with the kafka-guardrails rules (offline)"]


def commands(text: str) -> list[list[str]]:
    """Each `secure-kafka ...` invocation in run blocks, shell expansions replaced by a word."""
    found = []
    pattern = re.compile(r"(?:^|[\s/\"])secure-kafka\"?(\s[^|&;)]*)")
    for line in text.splitlines():
        line = line.split("#")[0]
        pieces = re.findall(r"\$\(([^)]*)\)", line)
        pieces.append(re.sub(r'"?\$\([^)]*\)"?|"\$\{[^}]*\}"|\$\w+', "X", line))
        for piece in pieces:
            for match in pattern.finditer(piece):
                words = [w for w in shlex.split(match.group(1).rstrip("\\ ")) if w != "X"]
                found.append(words)
    return found


def test_workflow_shape():
    """Pull requests run the gate; only the job that uploads SARIF may write security events; the current
    upload action; nothing is installed by a bare package name."""
    flow = workflow()
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"] == {"contents": "read"}
    gate = flow["jobs"]["gate"]
    assert gate["permissions"]["security-events"] == "write"
    uploads = [s for s in gate["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert [u["uses"] for u in uploads] == ["github/codeql-action/upload-sarif@v4"]
    assert "always()" in uploads[0]["if"]
    text = WORKFLOW.read_text()
    assert not re.search(r"pip install[^\n]*secure-kafka[=<>~]", text)
    checkov = "\n".join(s.get("run", "") for s in flow["jobs"]["checkov"]["steps"])
    pinned = (ROOT / "policies" / "checkov" / "requirements.txt").read_text()
    assert re.search(r"checkov==[\d.]+", checkov).group(0) in pinned  # one checkov version everywhere
    assert "--check 'CKV_KAFKA_*'" in checkov


def test_every_secure_kafka_command_in_the_workflow_parses():
    runs = [step["run"] for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step]
    text = "\n".join(line for block in runs for line in block.splitlines()
                     if not any(word in line for word in ("echo ", "grep ", "::error::")))
    found = commands(text)
    assert len(found) >= 4
    p = parser()
    for argv in found:
        args = p.parse_args(argv)
        assert args.command in ("scan", "checkov-dir", "pack-dir"), argv


@pytest.mark.parametrize("source, why", [
    ("secure-kafka==0.2.0", "not a git URL pinned"),
    ("git+https://github.com/acme/secure-kafka@main", "not a git URL pinned"),
    ("", "this repository is not secure-kafka"),
])
def test_the_install_step_refuses_what_is_not_pinned(tmp_path, source, why):
    runner = Runner.start(tmp_path / "runner", {"SECURE_KAFKA_SOURCE": source})
    workspace = tmp_path / "repo"
    workspace.mkdir()
    assert not runner.run_steps("gate", workspace, ["Install secure-kafka (pinned source, own virtualenv)"])
    code, out, err = runner.step("Install secure-kafka (pinned source, own virtualenv)")
    assert code == 2 and why in out + err
    assert not (tmp_path / "runner" / "secure-kafka").exists()  # refused before anything was made


def test_the_install_step_builds_a_wheel_from_a_checkout_of_secure_kafka(tmp_path):
    """With SECURE_KAFKA_SOURCE empty in the secure-kafka repository itself: a wheel built in the job."""
    checkout = tmp_path / "secure-kafka"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".git", ".venv*", ".cache", "build", "*.egg-info", "__pycache__", "tests", "bench", ".hypothesis"))
    runner = Runner.start(tmp_path / "runner", {"SECURE_KAFKA_SOURCE": "", "PIP_NO_DEPS": "1"})
    assert runner.run_steps("gate", checkout, ["Install secure-kafka (pinned source, own virtualenv)"]), runner.log
    wheels = list((tmp_path / "runner" / "dist").glob("secure_kafka-*.whl"))
    assert len(wheels) == 1
    installed = list((tmp_path / "runner" / "secure-kafka").glob("lib/*/site-packages/kafka_guardrails/pack/"
                                                                "PulumiPolicy.yaml"))
    assert len(installed) == 1


OPEN_SG = ("aws.ec2.SecurityGroup('kafka', vpc_id='vpc-0123456789abcdef0', ingress=[{'protocol': 'tcp', "
           "'from_port': 9092, 'to_port': 9092, 'cidr_blocks': ['CIDR']}])")
TF = textwrap.dedent("""\
    variable "clients" {
      default = "CIDR"
    }

    resource "aws_security_group" "kafka" {
      name   = "kafka"
      vpc_id = "vpc-0123456789abcdef0"
      ingress {
        from_port   = 9092
        to_port     = 9092
        protocol    = "tcp"
        cidr_blocks = [var.clients]
      }
    }
    """)
SERVICE = textwrap.dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: kafka
      namespace: kafka
    spec:
      type: TYPE
      selector: {app: kafka}
      ports:
        - name: tls
          port: 9092
          targetPort: 9092
    """)
CFN = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Kafka:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: kafka
          VpcId: vpc-0123456789abcdef0
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 9092
              ToPort: 9092
              CidrIp: CIDR
    """)


def repository(kind: str, exposed: bool, where: Path) -> tuple[Path, str, int]:
    """A repository of one kind: (its root, the file a finding must point at, that line)."""
    cidr = "0.0.0.0/0" if exposed else "10.20.0.0/16"
    where.mkdir(parents=True)
    (where / "README.md").write_text("# a team's infrastructure\n")
    (where / "package.json").write_text('{"name": "tooling"}\n')  # JSON that is not infrastructure
    if kind == "pulumi":
        infra = where / "infra"
        infra.mkdir()
        (infra / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
        (infra / "Pulumi.prod.yaml").write_text("config:\n  aws:region: eu-west-1\n")
        (infra / "__main__.py").write_text("import pulumi_aws as aws\n\n" + OPEN_SG.replace("CIDR", cidr) + "\n")
        return where, "infra/__main__.py", 3
    if kind == "terraform":
        (where / "network").mkdir()
        (where / "network" / "main.tf").write_text(TF.replace("CIDR", cidr))
        return where, "network/main.tf", 5
    if kind == "manifests":
        (where / "deploy").mkdir()
        (where / "deploy" / "kafka.yaml").write_text(SERVICE.replace("TYPE", "LoadBalancer" if exposed else "ClusterIP"))
        return where, "deploy/kafka.yaml", 1
    (where / "templates").mkdir()
    (where / "templates" / "kafka.yaml").write_text(CFN.replace("CIDR", cidr))
    return where, "templates/kafka.yaml", 3


@pytest.mark.parametrize("kind", ["pulumi", "terraform", "manifests", "cloudformation"])
def test_the_gate_job_judges_a_repository_of_each_kind(workflow_install, tmp_path, kind, sarif_schema):
    """No Pulumi.yaml at the top, no list of paths: the job finds what there is, passes the clean repository,
    fails the exposed one with the SARIF result at the file and line, and says so in the step summary."""
    for exposed in (False, True):
        repo, file, line = repository(kind, exposed, tmp_path / f"{kind}-{exposed}")
        runner = Runner(workflow_install.temp, dict(workflow_install.env), list(workflow_install.path))
        summary = Path(runner.env["GITHUB_STEP_SUMMARY"])
        summary.unlink(missing_ok=True)
        passed = runner.run_steps("gate", repo, JUDGE)
        listed = runner.step(JUDGE[0])
        assert listed[0] == 0 and file.split("/")[0] in listed[1], listed
        code, out, err = runner.step(JUDGE[1])
        assert passed is (not exposed) and code == (1 if exposed else 0), (out, err)
        assert f"-> exit {code}" in out and f"-> exit {code}" in summary.read_text()
        sarif_file = runner.upload("gate", repo)
        assert sarif_file is not None
        sarif = json.loads(sarif_file.read_text())
        jsonschema.validate(sarif, sarif_schema)
        results = sarif["runs"][0]["results"]
        if not exposed:
            assert results == []
            continue
        places = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"))
                  for r in results if r["level"] == "error"}
        assert (file, line) in places, places


def test_the_gate_job_fails_on_what_it_cannot_judge(workflow_install, tmp_path):
    """A Helm chart and a YAML file that does not parse are reported as not judged: exit 2, never a pass."""
    repo = tmp_path / "repo"
    (repo / "chart" / "templates").mkdir(parents=True)
    (repo / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: kafka\nversion: 0.1.0\n")
    (repo / "chart" / "templates" / "svc.yaml").write_text("kind: Service\nspec: {{ .Values.spec }}\n")
    (repo / "broken.yaml").write_text("apiVersion: v1\nkind: [Service\n")
    runner = Runner(workflow_install.temp, dict(workflow_install.env), list(workflow_install.path))
    assert not runner.run_steps("gate", repo, JUDGE)
    code, out, _ = runner.step(JUDGE[1])
    assert code == 2 and "2 unjudged" in out
    sarif = json.loads(runner.upload("gate", repo).read_text())
    unjudged = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                      for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("KAFKA-COV-001"))
    assert unjudged == ["broken.yaml", "chart"]


def test_a_targets_file_and_extra_arguments_choose_what_is_judged(workflow_install, tmp_path):
    repo, _, _ = repository("terraform", True, tmp_path / "repo")
    (repo / "tests").mkdir()
    (repo / "tests" / "exposed.yaml").write_text(SERVICE.replace("TYPE", "LoadBalancer"))
    runner = Runner(workflow_install.temp, {**workflow_install.env, "KAFKA_GUARDRAILS_ARGS": "--exclude tests/*"},
                    list(workflow_install.path))
    runner.run_steps("gate", repo, JUDGE)
    listed = runner.step(JUDGE[0])[1]
    assert "network/main.tf" in listed and "tests/exposed.yaml" in listed and "excluded" in listed
    (repo / ".github").mkdir()
    (repo / ".github" / "kafka-guardrails-targets").write_text("# only the manifests\ntests\n")
    runner = Runner(workflow_install.temp, dict(workflow_install.env), list(workflow_install.path))
    assert not runner.run_steps("gate", repo, JUDGE)
    sarif = json.loads(runner.upload("gate", repo).read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"tests/exposed.yaml"}


@pytest.mark.checkov
def test_the_checkov_job_runs_only_the_kafka_checks(workflow_install, tmp_path):
    """The checkov step as written, with checkov from its own virtualenv and the installed checks."""
    runner = Runner.start(tmp_path / "runner")
    (tmp_path / "runner" / "checkov").symlink_to(ROOT / ".venv-checkov")
    (tmp_path / "runner" / "sk").symlink_to(workflow_install.temp / "secure-kafka")
    for exposed, expected in ((False, 0), (True, 1)):
        repo, _, _ = repository("terraform", exposed, tmp_path / f"repo-{exposed}")
        # an S3 bucket checkov's own checks would fail: with --check 'CKV_KAFKA_*' they do not run
        (repo / "network" / "bucket.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
        runner.log.clear()
        runner.run_steps("checkov", repo, ["Run checkov with the kafka-guardrails checks only"])
        code, out, err = runner.step("Run checkov with the kafka-guardrails checks only")
        assert code == expected, (out[-2000:], err[-2000:])
        # --quiet prints failed checks only: the exposure's, never the bucket's built-in ones
        ids = set(re.findall(r"Check: (CKV\w*)", out))
        assert ids == ({"CKV_KAFKA_NET_001"} if exposed else set()), out[-2000:]
