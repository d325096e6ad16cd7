"""The shared fixtures of every test directory (tests/<package>/ mirrors secure_kafka's sub-packages,
tests/engine the rule engine): tests/support on sys.path (the exposure cases, checkov and table
helpers, the workflow runner), a mock monitor that records registrations, the SARIF schema and the
workflow's install. Real-cluster fixtures live with the real-cluster tests, in tests/e2e/conftest.py."""
import sys
from pathlib import Path

import pulumi
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

from secure_kafka.gate.mockrun import Mocks, RecordingMonitor  # noqa: E402


@pytest.fixture
def monitor():
    """Fresh SDK mocks whose monitor keeps every registration; empty means nothing was created."""
    mon = RecordingMonitor(Mocks())
    pulumi.runtime.set_mocks(Mocks(), project="p", stack="t", preview=True, monitor=mon)
    return mon



SARIF_SCHEMA = ROOT / ".cache" / "sarif" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="session")
def sarif_schema():
    """The official SARIF 2.1.0 schema (final rtm.5), test-only data: fetched once from the npm registry
    (the package @microsoft/jest-sarif ships it) into .cache/, never by the README's first command."""
    import json
    import os
    import shutil
    import subprocess
    import tarfile
    import tempfile

    if not SARIF_SCHEMA.is_file() or SARIF_SCHEMA.stat().st_size == 0:
        npm = shutil.which("npm")
        assert npm, "the SARIF tests need npm to fetch the official schema from the npm registry"
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run([npm, "pack", "--silent", "@microsoft/jest-sarif@1.0.0-beta.0"], cwd=tmp,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            with tarfile.open(Path(tmp) / "microsoft-jest-sarif-1.0.0-beta.0.tgz") as archive:
                member = archive.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json")
                assert member is not None
                data = member.read()
            SARIF_SCHEMA.parent.mkdir(parents=True, exist_ok=True)
            partial = SARIF_SCHEMA.with_suffix(f".part-{os.getpid()}")  # two lanes may fetch it at once
            partial.write_bytes(data)
            partial.replace(SARIF_SCHEMA)
    return json.loads(SARIF_SCHEMA.read_text())


INSTALL_STEP = "Install secure-kafka (pinned source, own virtualenv)"


@pytest.fixture(scope="session")
def workflow_install(tmp_path_factory):
    """secure-kafka installed as the shipped workflow installs it in someone else's CI: its install step,
    run as the runner runs it, from a git URL pinned to a commit (this tree, committed to a scratch
    repository), into a fresh virtualenv, without extras. The source is deleted afterwards: nothing may
    need it. Returns the runner, whose PATH has the installed commands."""
    import shutil
    import subprocess

    from workflow_runner import Runner

    base = tmp_path_factory.mktemp("workflow-install")
    source = base / "secure-kafka.git"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", ".cache", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        "policies/venv"))
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "-c", "init.defaultBranch=main"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "under test"]):
        subprocess.run(git + step, cwd=source, check=True, capture_output=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, check=True, capture_output=True,
                            text=True).stdout.strip()
    runner = Runner.start(base / "runner", {"SECURE_KAFKA_SOURCE": f"git+file://{source}@{commit}"})
    workspace = base / "workspace"
    workspace.mkdir()
    assert runner.run_steps("gate", workspace, [INSTALL_STEP]), runner.log[-1][3][-3000:]
    shutil.rmtree(source)
    return runner
