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


PROBE = ("import pulumi_aws as aws\n"
         "from secure_kafka import ClientAccess\n"
         "info = aws.msk.ClusterBrokerNodeGroupInfoArgs(client_subnets=['s'], instance_type='kafka.m5.large',\n"
         "                                              security_groups=['sg'], az_distrbution='DEFAULT')\n"
         "client = ClientAccess(name=3)\n")


@pytest.fixture(scope="module")
def checked(tree):
    """One mypy run (the slowest test of the suite when run twice): the packages, plus a probe file with
    two mistakes a user could make, so both claims below read the same output."""
    (tree / "probe.py").write_text(PROBE)
    done = mypy(tree, "-p", "secure_kafka", "-p", "kafka_guardrails", "-m", "probe")
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    return done, errors


def test_components_and_engine_pass_mypy_strict(checked):
    done, errors = checked
    assert [e for e in errors if not e.startswith("probe.py:")] == [], done.stdout[-5000:]
    expected = len(list((ROOT / "components").rglob("*.py"))) + len(list((ROOT / "policies" / "kafka_guardrails")
                                                                          .rglob("*.py")))
    assert f"Found 2 errors in 1 file (checked {expected + 1} source files)" in done.stdout, done.stdout[-5000:]


def test_the_same_check_catches_a_misspelled_provider_property(checked):
    done, errors = checked
    assert done.returncode == 1 and len(errors) == 2, done.stdout[-5000:]
    assert any('Unexpected keyword argument "az_distrbution"' in e for e in errors)
    assert any('Argument "name" to "ClientAccess" has incompatible type "int"' in e for e in errors)
