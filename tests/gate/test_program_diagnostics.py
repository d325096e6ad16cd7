"""What a program logs reaches the gate's reader: warnings on stderr in every format and in the JSON report,
in `preview` and in `scan`; an error it logs (which fails `pulumi up`) is never passed."""
import json
from pathlib import Path

from secure_kafka.cli import main

ROOT = Path(__file__).resolve().parents[2]


def project(where: Path, extra: str) -> Path:
    (where / "stacks").mkdir(parents=True)
    (where / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (where / "__main__.py").write_text((ROOT / "__main__.py").read_text() + extra)
    (where / "stacks" / "Pulumi.ci.yaml").write_text((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    return where


def test_a_logged_warning_is_shown_and_kept_without_changing_the_verdict(tmp_path, capsys):
    repo = project(tmp_path, 'pulumi.log.warn("rotate the client certificates")\n')
    assert main(["preview", "--project-dir", str(repo), "--stack", "ci", "--format", "json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["warnings"] == ["warning: rotate the client certificates"]
    assert "warning: rotate the client certificates" in captured.err.splitlines()


def test_a_logged_error_is_not_passed(tmp_path, capsys):
    repo = project(tmp_path, 'pulumi.log.error("the broker AMI could not be found")\n')
    assert main(["preview", "--project-dir", str(repo), "--stack", "ci", "--format", "json", "--quiet"]) == 2
    report = json.loads(capsys.readouterr().out)
    [finding] = [f for f in report["findings"] if f["policy"] == "kafka-coverage"]
    assert "the program logged error: the broker AMI could not be found" in finding["message"]
    assert report["summary"]["exit"] == 2


def test_scan_keeps_each_stacks_warnings(tmp_path, capsys):
    project(tmp_path / "infra", 'pulumi.log.warn("rotate the client certificates")\n')
    assert main(["scan", str(tmp_path), "--format", "json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["warnings"] == ["infra (stack ci): warning: rotate the client certificates"]
    assert "infra (stack ci): warning: rotate the client certificates" in captured.err.splitlines()
