"""The README's first command as a newcomer runs it: `./preview` needs only Python and make (no npm, Java,
Go or checkov at run time), and exits with the gate's own code — 1 on a mandatory finding, not make's 2."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("bash", "make", "python3", "env", "dirname", "cat", "sha256sum", "cut", "rm", "mkdir", "sh")


@pytest.fixture
def bare_path(tmp_path):
    """A PATH with only a shell, make, Python and core utilities."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = str(bin_dir)
    return env


def _project(tmp_path, cidr):
    root = tmp_path / "team"
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: team\nruntime: python\nstackConfigDir: stacks\n")
    (root / "stacks" / "Pulumi.ci.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (root / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        f"aws.ec2.SecurityGroup('kafka', ingress=[{{'protocol': 'tcp', 'from_port': 9092, 'to_port': 9092, "
        f"'cidr_blocks': ['{cidr}']}}])\n")
    return root


def test_preview_exits_with_the_gates_own_code_using_only_python_and_make(tmp_path, bare_path):
    assert not (ROOT / ".ci" / "bootstrap").read_text().count("npm")
    done = subprocess.run([str(ROOT / "preview")], cwd=tmp_path, env=bare_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Stack dev of secure-kafka" in done.stdout and "-> exit 0 (pass)" in done.stdout
    assert "Placeholders to replace" in done.stdout
    exposed = subprocess.run([str(ROOT / "preview"), "ci", "--project-dir", str(_project(tmp_path, "0.0.0.0/0"))],
                             cwd=tmp_path, env=bare_path, capture_output=True, text=True, timeout=600)
    assert exposed.returncode == 1, exposed.stderr
    assert "KAFKA-NET-001" in exposed.stdout and "-> exit 1 (blocked" in exposed.stdout
    missing = subprocess.run([str(ROOT / "preview"), "nosuch"], cwd=tmp_path, env=bare_path, capture_output=True,
                             text=True, timeout=600)
    assert missing.returncode == 2 and "stacks of this project: dev" in missing.stderr
