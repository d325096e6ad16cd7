"""The gate's two modes, each giving one Report.

- a Pulumi program, run offline under the SDK's mocks and judged by the policy pack over the
  Analyzer protocol, as `pulumi preview --policy-pack` judges it;
- files produced elsewhere, judged by the engine in-process with the pack's per-policy config.
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from kafka_guardrails import RULES, Resource, Stack
from kafka_guardrails.coverage import COVERAGE_ID, assess
from kafka_guardrails.rules import run as run_rule

from . import files, policyconfig
from .analyzer import Diagnostic
from .discover import Found, relative
from .mockrun import Run, run_program
from .project import Project
from .report import Judged, Report, Result
from .verdict import judge

_HEADER = re.compile(r"^\[(?P<id>[A-Z0-9-]+)\] (?P<resource>\S*): ", re.M)


def shipped(part: str) -> Path:
    """A directory shipped with the engine: `pack` (the policy pack) or `checkov` (the checks). An
    install has them as kafka_guardrails/pack and kafka_guardrails/checkov; a checkout (editable
    install) as policies/ and policies/checkov next to policies/kafka_guardrails."""
    import kafka_guardrails
    engine = Path(kafka_guardrails.__file__).resolve().parent
    installed = engine / part
    if (installed / ("PulumiPolicy.yaml" if part == "pack" else "kafka_engine_bridge.py")).exists():
        return installed
    checkout = engine.parent if part == "pack" else engine.parent / part
    return checkout


def pack_python(pack: Path) -> str:
    """The interpreter the Pulumi CLI would start the pack with: its own virtualenv when it has one."""
    own = pack / "venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def pack_dir() -> Path:
    """The kafka-guardrails pack shipped with the package."""
    return shipped("pack")


class Progress:
    """A progress line on stderr for long runs: rewritten in place on a terminal, a line every few
    seconds otherwise; silent for runs that finish quickly."""

    def __init__(self, total: int, what: str, quiet: bool = False) -> None:
        self.total, self.what, self.quiet = total, what, quiet
        self.start = self.last = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.after = float(os.environ.get("SECURE_KAFKA_PROGRESS_AFTER", "2"))

    def tick(self, done: int) -> None:
        now = time.monotonic()
        if self.quiet or now - self.start < self.after or (self.after and now - self.last < (0.2 if self.tty else 5)):
            return
        self.last = now
        line = f"secure-kafka: {self.what} {done:,}/{self.total:,}"
        print(f"\r{line}" if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty and not self.quiet and time.monotonic() - self.start >= self.after:
            print(file=sys.stderr)


def _parse(diagnostic: Diagnostic, anchor: str) -> Result:
    """A pack diagnostic as a result. The pack's text is the engine's own `Finding.text()` format."""
    rule = RULES[diagnostic.policy] if diagnostic.policy in [r.name for r in RULES] else None
    text = diagnostic.message
    found = _HEADER.search(text)
    body = text[found.end():] if found else text
    message, _, fix = body.partition("\nFix: ")
    resources: tuple[str, ...] = ()
    if "\nResources: " in message:
        message, _, listed = message.partition("\nResources: ")
        resources = tuple(listed.split(", "))
    if "during preview:" in message:  # pulumi-policy's note for a verdict only unknowns block
        message = message.split("during preview:", 1)[1].strip()
    resource = diagnostic.urn or (found.group("resource") if found else "") or anchor
    return Result(rule.id if rule else (found.group("id") if found else diagnostic.policy), diagnostic.policy,
                  diagnostic.level, resource, message.strip(), fix.strip(), resources or ((resource,) if resource else ()))


def judge_program(project: Project, stack: str, *, pack: Path, config: Mapping[str, Any], up: bool,
                  quiet: bool = False, stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None,
                  ) -> tuple[Report, Run]:
    run = run_program(project, stack, preview=not up, stack_outputs=stack_outputs)
    verdicts, stack_diags = judge(pack, run.resources, project=project.name, stack=stack, preview=not up,
                                  config=config, python=pack_python(pack))
    where = str(project.stack_file(stack))
    report = Report("pulumi-program", f"{project.name}/{stack}", outputs=dict(run.outputs), simulated=True,
                    placeholders=project.placeholders(stack), warnings=list(run.warnings))
    coverage = policyconfig.resolve(config, not up)["kafka-coverage"]
    harmless = coverage.settings.harmless
    for line in run.warnings:  # `pulumi up` fails on an error the program logs; the gate never passes one
        if line.startswith("error: "):
            unjudged(report, where, f"the program logged {line}", coverage.level,
                     "Fix what the program reports; the stack is not judged while it does.")
    for verdict in verdicts:
        r = verdict.resource
        found = assess(Resource(r.type, r.properties, r.name, r.urn, custom=r.custom), harmless)
        state = "unjudged" if any(d.policy == "kafka-coverage" for d in verdict.diagnostics) else \
            found.state if found.state != "unjudged" else "judged"
        at = r.source or where
        report.judged.append(Judged(r.urn, r.type, r.name, at, state, found.reason))
        for diagnostic in verdict.diagnostics:
            report.results.append(_with_location(_parse(diagnostic, r.urn), at))
    for diagnostic in stack_diags:
        report.results.append(_with_location(_parse(diagnostic, ""), where))
    return report.sort(), run


def _with_location(result: Result, where: str) -> Result:
    return Result(result.rule_id, result.policy, result.level, result.resource, result.message, result.fix,
                  result.resources, where)


def judge_files(paths: Sequence[Path], *, config: Mapping[str, Any], preview: bool, quiet: bool = False) -> Report:
    loaded = files.load(paths)
    settings = policyconfig.resolve(config, preview)
    report = Report("files", ", ".join(str(p) for p in paths))
    coverage = settings["kafka-coverage"]
    for where, why in loaded.unread:  # an input the gate could not read at all is never skipped silently
        unjudged(report, where, why, coverage.level,
                 "Give the gate what it reads (Terraform .tf or plan JSON, CloudFormation, Pulumi preview JSON with "
                 "--show-sames or stack export, Kubernetes manifests), or leave this path out of its arguments.")
    resources = loaded.resources
    progress = Progress(len(resources), "resources judged", quiet)
    by_label: dict[str, Resource] = {}
    for index, resource in enumerate(resources):
        by_label[resource.label] = resource
        found = assess(resource, coverage.settings.harmless)
        state = found.state if coverage.level != "disabled" or found.state != "unjudged" else "judged"
        report.judged.append(Judged(resource.label, resource.type, resource.name, resource.location, state,
                                    found.reason))
        for rule in RULES.for_type(resource.type):
            setting = settings[rule.name]
            if setting.level == "disabled":
                continue
            for finding in run_rule(rule, resource, setting.settings):
                report.results.append(_result(finding, setting.level, resource.location, resource.secrets))
        if index % 200 == 0:
            progress.tick(index)
    progress.tick(len(resources))
    stack = Stack(resources)
    for rule in RULES.stack_rules():
        setting = settings[rule.name]
        if setting.level == "disabled":
            continue
        for finding in run_rule(rule, stack, setting.settings):
            anchor = by_label.get(finding.resource)
            secrets = [s for label in finding.resources if label in by_label for s in by_label[label].secrets]
            report.results.append(_result(finding, setting.level, anchor.location if anchor else "", secrets))
    progress.done()
    report.outputs = {"files": dict(sorted(loaded.kinds.items()))}
    if loaded.ignored:
        report.outputs["not infrastructure (passed over by suffix)"] = dict(sorted(loaded.ignored.items()))
    return report.sort()


def _result(finding: Any, level: str, location: str, secrets: Sequence[str] = ()) -> Result:
    # A finding the engine made advisory (an unknown in preview) stays advisory under a mandatory policy.
    final = "advisory" if finding.level == "advisory" and finding.unknown else level
    return Result(finding.rule_id, finding.policy, final, finding.resource, redact(finding.message, secrets),
                  redact(finding.remediation, secrets), tuple(finding.resources), location)


def redact(text: str, secrets: Sequence[str]) -> str:
    """Secret values read in plain text (a `--show-secrets` export) are judged, never printed."""
    for secret in secrets:
        if len(secret) >= 4 or secret in ("*",):
            text = text.replace(secret, "[secret]")
    return text


def judge_scan(root: Path, found: Found, *, config: Mapping[str, Any], forward: Sequence[str], preview: bool,
               quiet: bool = False) -> Report:
    """Every target a repository holds, as one report: each Pulumi stack run by the offline gate in a
    process of its own (programs of different projects never share imported modules; `forward` holds the
    options it passes on), the files judged together (joins across them hold). A target that cannot be
    judged is reported, never skipped."""
    import json
    import subprocess

    report = Report("scan", str(root))
    level = policyconfig.resolve(config, preview)["kafka-coverage"].level
    fix = "Make it readable by the gate, or leave it out with --exclude or a --targets list."
    for target in [t for t in found.targets if t.kind == "pulumi"]:
        where = relative(target.path, root)
        if not target.stacks:
            unjudged(report, where, "a Pulumi project without a stack config file (Pulumi.<stack>.yaml): nothing "
                                    "says what to run", level, fix)
        for stack in target.stacks:
            if not quiet:
                print(f"secure-kafka: scan: {where} stack {stack}", file=sys.stderr)
            done = subprocess.run([sys.executable, "-m", "secure_kafka.cli", "preview", "--project-dir",
                                   str(target.path), "--stack", stack, "--format", "json", "--quiet", *forward],
                                  capture_output=True, text=True)
            try:
                data = json.loads(done.stdout)
            except ValueError:
                why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
                unjudged(report, f"{where} (stack {stack})", why.removeprefix("secure-kafka: "), level, fix)
                continue
            report.judged += [Judged(**item) for item in data["resources"]]
            report.warnings += [f"{where} (stack {stack}): {line}" for line in data.get("warnings", [])]
            report.results += [Result(**{**item, "resources": tuple(item["resources"])}) for item in data["findings"]]
            report.outputs.setdefault("pulumi stacks", {})[f"{where} {stack}"] = data["summary"]["exit"]
    for where, why in found.unjudged:
        unjudged(report, where, why, level, fix)
    if found.files:
        files_report = judge_files(found.files, config=config, preview=preview, quiet=quiet)
        report.judged += files_report.judged
        report.results += files_report.results
        report.outputs["files"] = {relative(Path(k), root): v for k, v in files_report.outputs.get("files", {}).items()}
    for reason, paths in sorted(found.passed_over.items()):
        report.outputs[f"passed over: {reason}"] = len(paths)
    if found.by_suffix:
        report.outputs["not infrastructure (passed over by suffix)"] = dict(sorted(found.by_suffix.items()))
    return report.sort()


def unjudged(report: Report, where: str, why: str, level: str, fix: str) -> None:
    """An input the gate could not judge: a row of its own and a kafka-coverage result (mandatory only
    where the coverage policy is), so it is never passed without a word."""
    report.judged.append(Judged(where, "(input)", where, where, "unjudged", why))
    report.results.append(Result(COVERAGE_ID, "kafka-coverage", "mandatory" if level == "mandatory" else "advisory",
                                 where, f"not judged: {why}. It is reported rather than passed.", fix, (where,), where))
