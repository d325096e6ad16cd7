"""The GitHub workflow users copy: valid YAML, SARIF upload with the permission it needs, and every
secure-kafka command in it accepted by the command's own parser (a renamed flag fails here)."""
import re
import shlex
from pathlib import Path

import yaml

from secure_kafka.cli import parser

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "kafka-guardrails.yml"


def commands(text: str) -> list[list[str]]:
    """Each `secure-kafka ...` invocation in run blocks, shell substitutions replaced by a word."""
    found = []
    pattern = re.compile(r"(?:^|[\s/])secure-kafka(\s[^|&;)]*)")
    for line in text.splitlines():
        line = line.split("#")[0]
        pieces = re.findall(r"\$\(([^)]*)\)", line)  # commands inside substitutions
        pieces.append(re.sub(r'"?\$\([^)]*\)"?|\$\w+', "X", line))
        for piece in pieces:
            for match in pattern.finditer(piece):
                found.append(shlex.split(match.group(1).rstrip("\\ ")))
    return found


def test_workflow_runs_the_gate_on_pull_requests_and_uploads_sarif():
    flow = yaml.safe_load(WORKFLOW.read_text())
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["gate"]["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert len(uploads) == 1 and uploads[0]["if"] == "always()"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "--format sarif" in runs
    preview = flow["jobs"]["preview"]
    assert any("--policy-pack" in s.get("run", "") for s in preview["steps"])


def test_every_secure_kafka_command_in_the_workflow_parses():
    found = commands(WORKFLOW.read_text())
    assert len(found) == 4
    p = parser()
    for argv in found:
        args = p.parse_args(argv)
        assert args.command in ("preview", "check", "checkov-dir", "pack-dir"), argv
