"""The components and the engine under mypy --strict (settings in pyproject.toml): a misspelled or
mistyped provider property fails here, as the provider would fail it at `pulumi up`."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The import packages laid out as installed (secure_kafka, kafka_guardrails), for mypy."""
    where = tmp_path_factory.mktemp("typecheck")
    (where / "secure_kafka").symlink_to(ROOT / "components")
    (where / "kafka_guardrails").symlink_to(ROOT / "policies" / "kafka_guardrails")
    return where


def mypy(tree, *targets):
    cache = ROOT / ".cache" / "mypy"
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(cache), *targets], cwd=tree, capture_output=True, text=True,
                          timeout=900)


def test_components_and_engine_pass_mypy_strict(tree):
    done = mypy(tree, "-p", "secure_kafka", "-p", "kafka_guardrails")
    assert done.returncode == 0, done.stdout[-5000:]
    assert "Success: no issues found" in done.stdout
    checked = int(done.stdout.split("in ")[-1].split()[0])
    expected = len(list((ROOT / "components").rglob("*.py"))) + len(list((ROOT / "policies" / "kafka_guardrails")
                                                                          .rglob("*.py")))
    assert checked == expected


def test_the_same_check_catches_a_misspelled_provider_property(tree):
    (tree / "probe.py").write_text(
        "import pulumi_aws as aws\n"
        "from secure_kafka import ClientAccess\n"
        "info = aws.msk.ClusterBrokerNodeGroupInfoArgs(client_subnets=['s'], instance_type='kafka.m5.large',\n"
        "                                              security_groups=['sg'], az_distrbution='DEFAULT')\n"
        "client = ClientAccess(name=3)\n")
    done = mypy(tree, "probe.py")
    assert done.returncode == 1
    assert 'Unexpected keyword argument "az_distrbution"' in done.stdout
    assert 'Argument "name" to "ClientAccess" has incompatible type "int"' in done.stdout
