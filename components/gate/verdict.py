"""Judge a recorded run with the pack and print one verdict table."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from .analyzer import Diagnostic, PolicyPack, StackResource


@dataclass(frozen=True)
class Verdict:
    resource: StackResource
    diagnostics: tuple[Diagnostic, ...]


def judge(pack_dir: Path, resources: Sequence[StackResource], *, project: str, stack: str,
          preview: bool, config: Optional[Mapping[str, Any]] = None,
          python: Optional[str] = None) -> tuple[list[Verdict], list[Diagnostic]]:
    """Analyze every resource, then AnalyzeStack once, as `pulumi preview --policy-pack` does."""
    with PolicyPack(pack_dir, project=project, stack=stack, preview=preview, python=python) as pack:
        pack.info()
        pack.configure(config or {})
        pack.configure_stack(project=project, stack=stack, preview=preview)
        verdicts = [Verdict(r, tuple(pack.analyze(r.type, r.properties, r.urn, r.name, r.custom)))
                    for r in resources]
        stack_diags = pack.analyze_stack(resources)
    return verdicts, stack_diags


def render(verdicts: Sequence[Verdict], stack_diags: Sequence[Diagnostic], width: int = 100) -> str:
    rows = []
    for v in verdicts:
        status = "PASS"
        if any(d.level == "mandatory" for d in v.diagnostics):
            status = "FAIL"
        elif v.diagnostics:
            status = "WARN"
        rows.append((status, v.resource.type, v.resource.name))
    w_type = max([len(r[1]) for r in rows] + [4])
    lines = [f"{'VERDICT':<8} {'TYPE':<{w_type}} NAME"]
    lines += [f"{s:<8} {t:<{w_type}} {n}" for s, t, n in rows]
    problems = [(v.resource.name, d) for v in verdicts for d in v.diagnostics]
    problems += [("(stack)", d) for d in stack_diags]
    if problems:
        lines.append("")
        lines.append("Findings:")
        for name, d in problems:
            body = textwrap.indent(textwrap.fill(d.message.replace("\n", " "), width - 4), "    ")
            lines.append(f"  {d.level.upper()} {d.policy} on {name}:\n{body}")
    mandatory = sum(d.level == "mandatory" for _, d in problems)
    advisory = sum(d.level == "advisory" for _, d in problems)
    lines.append("")
    lines.append(f"{len(verdicts)} resources judged by kafka-guardrails: "
                 f"{mandatory} mandatory, {advisory} advisory finding(s).")
    return "\n".join(lines)


def mandatory_count(verdicts: Sequence[Verdict], stack_diags: Sequence[Diagnostic]) -> int:
    return (sum(d.level == "mandatory" for v in verdicts for d in v.diagnostics)
            + sum(d.level == "mandatory" for d in stack_diags))
