"""Run the `run:` steps of a GitHub Actions job as the runner does: each step a script for
`bash --noprofile --norc -eo pipefail`, the workflow's `env`, $GITHUB_PATH lines added to PATH for the
steps after, $GITHUB_STEP_SUMMARY, and steps after a failure skipped unless their `if` says always().
`uses:` steps are played by the caller (checkout: the workspace is the repository; setup-python: a
`python` on PATH; upload-sarif: the caller checks the file it would upload)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "kafka-guardrails.yml"


def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


@dataclass
class Runner:
    """One job's runner: a temp dir, the PATH it has built so far, what each step printed."""

    temp: Path
    env: dict[str, str]
    path: list[str] = field(default_factory=list)
    log: list[tuple[str, int, str, str]] = field(default_factory=list)  # (step, exit, stdout, stderr)

    @classmethod
    def start(cls, temp: Path, overrides: Optional[dict[str, str]] = None) -> "Runner":
        temp.mkdir(parents=True, exist_ok=True)
        setup = temp / "setup-python"
        setup.mkdir(exist_ok=True)
        for name in ("python", "python3"):  # what actions/setup-python puts first on PATH
            link = setup / name
            if not link.exists():
                link.symlink_to(sys.executable)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env.update({str(k): "" if v is None else str(v) for k, v in (workflow().get("env") or {}).items()})
        env.update(overrides or {})
        env.update(RUNNER_TEMP=str(temp), GITHUB_PATH=str(temp / "github_path"),
                   GITHUB_STEP_SUMMARY=str(temp / "step_summary.md"), CI="true", GITHUB_ACTIONS="true")
        runner = cls(temp, env, [str(setup)])
        return runner

    def run_steps(self, job: str, workspace: Path, names: Optional[list[str]] = None) -> bool:
        """Run the job's `run:` steps (or those named) in `workspace`; True when every one passed."""
        failed = False
        for step in workflow()["jobs"][job]["steps"]:
            if "run" not in step or (names is not None and step.get("name") not in names):
                continue
            if failed and "always()" not in str(step.get("if", "")):
                continue
            env = {**self.env, **{str(k): str(v) for k, v in (step.get("env") or {}).items()}}
            env["PATH"] = os.pathsep.join([*reversed(self.path), self.env.get("PATH", "")])
            env["GITHUB_WORKSPACE"] = str(workspace)
            script = self.temp / "step.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                                  env=env, capture_output=True, text=True, timeout=1800)
            self.log.append((step.get("name", "run"), done.returncode, done.stdout, done.stderr))
            added = Path(self.env["GITHUB_PATH"])
            if added.exists():
                for line in added.read_text().splitlines():
                    if line and line not in self.path:
                        self.path.append(line)
                added.unlink()
            failed = failed or done.returncode != 0
        return not failed

    def step(self, name: str) -> tuple[int, str, str]:
        [found] = [(code, out, err) for step, code, out, err in self.log if step == name]
        return found

    def upload(self, job: str, workspace: Path) -> Optional[Path]:
        """The file the upload-sarif step would upload, when its condition holds."""
        [step] = [s for s in workflow()["jobs"][job]["steps"]
                  if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
        target = workspace / step["with"]["sarif_file"]
        condition = str(step.get("if", ""))
        if "hashFiles" in condition:
            match = re.search(r"hashFiles\('([^']+)'\)", condition)
            if match and not (workspace / match.group(1)).exists():
                return None
        return target if target.exists() else None
