"""One report for every mode of the gate, and its renderings: a table for people, JSON for scripts,
SARIF 2.1.0 for code scanning (GitHub), JUnit XML for CI test views. Output order is deterministic
(resources and findings sorted), and no property value is written except what a finding says."""
from __future__ import annotations

import hashlib
import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Optional

from kafka_guardrails import RULES

TOOL = "secure-kafka"
COVERAGE = "kafka-coverage"
INFO_URI = "https://github.com/secure-kafka/secure-kafka"


@dataclass(frozen=True)
class Judged:
    """One resource the gate looked at."""

    label: str          # URN, tf:address, cfn:LogicalId or Kind/namespace/name
    type: str
    name: str
    location: str = ""  # file[:line]
    state: str = "judged"  # judged | harmless | unjudged (coverage)
    reason: str = ""


@dataclass(frozen=True)
class Result:
    rule_id: str
    policy: str
    level: str          # mandatory | advisory
    resource: str       # the label of the resource it anchors on ("" for a stack-wide finding)
    message: str
    fix: str = ""
    resources: tuple[str, ...] = ()
    location: str = ""


@dataclass
class Report:
    mode: str
    target: str
    judged: list[Judged] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    simulated: bool = False  # outputs come from the offline mocks, not from a cloud
    placeholders: list[str] = field(default_factory=list)  # stack values to replace before `pulumi up`
    warnings: list[str] = field(default_factory=list)  # the program's own diagnostics (deprecated keys, ...)

    def sort(self) -> "Report":
        self.judged.sort(key=lambda j: (j.location, j.label))
        self.results.sort(key=lambda r: (r.resource, r.rule_id, r.policy, r.message))
        return self

    @property
    def mandatory(self) -> int:
        return sum(r.level == "mandatory" for r in self.results)

    @property
    def advisory(self) -> int:
        return sum(r.level == "advisory" for r in self.results)

    @property
    def unjudged(self) -> int:
        """Inputs and resources the gate could not judge (the kafka-coverage results)."""
        return sum(r.policy == COVERAGE for r in self.results)

    def counts(self) -> dict[str, int]:
        out = {"judged": 0, "harmless": 0, "unjudged": 0}
        for judged in self.judged:
            out[judged.state] = out.get(judged.state, 0) + 1
        return out

    def exit_code(self) -> int:
        """1: mandatory findings; 2: nothing mandatory, but something was not judged; 0: all judged."""
        return 1 if self.mandatory else 2 if self.unjudged else 0


def _split(location: str) -> tuple[str, Optional[int]]:
    path, _, line = location.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return location, None


def table(report: Report, width: int = 100) -> str:
    by_resource: dict[str, list[Result]] = {}
    for result in report.results:
        by_resource.setdefault(result.resource, []).append(result)
    rows = []
    for judged in report.judged:
        found = by_resource.get(judged.label, [])
        status = "FAIL" if any(r.level == "mandatory" for r in found) else \
            "UNJUDGED" if any(r.policy == COVERAGE for r in found) else "WARN" if found else \
            "HARMLESS" if judged.state == "harmless" else "PASS"
        rows.append((status, judged.type, judged.name or judged.label, judged.location))
    type_width = max([len(r[1]) for r in rows] + [4])
    if report.mode == "files":  # files judged: say where each one stands
        name_width = max([len(r[2]) for r in rows] + [4])
        lines = [f"{'VERDICT':<8} {'TYPE':<{type_width}} {'NAME':<{name_width}} FILE"] + \
            [f"{s:<8} {t:<{type_width}} {n:<{name_width}} {w}".rstrip() for s, t, n, w in rows]
    else:
        lines = [f"{'VERDICT':<8} {'TYPE':<{type_width}} NAME"] + [f"{s:<8} {t:<{type_width}} {n}"
                                                                    for s, t, n, _ in rows]
    if report.results:
        lines += ["", "Findings:"]
        for result in report.results:
            where = result.resource or "(stack)"
            body = textwrap.fill(f"[{result.rule_id}] {result.message} Fix: {result.fix}".replace("\n", " "), width - 4)
            lines.append(f"  {result.level.upper()} {result.policy} on {where}:")
            lines.append(textwrap.indent(body, "    "))
            if len(result.resources) > 1:
                lines.append(textwrap.indent(textwrap.fill("joins: " + ", ".join(result.resources), width - 4), "    "))
    lines += ["", summary(report)]
    if report.outputs:
        title = ("Outputs (simulated by the offline mocks: ids, ARNs, addresses and certificates are stand-ins "
                 "shaped like the real ones; `pulumi up` prints what AWS assigns):") if report.simulated else "Outputs:"
        lines += ["", title] + [f"  {k}: {v}" for k, v in sorted(report.outputs.items())]
    if report.placeholders:
        lines += ["", "Placeholders to replace with your own values before `pulumi up` (marked `# placeholder` in the "
                      "stack file):"] + [f"  {p}" for p in report.placeholders]
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    """The verdict line: what was read, how much of it was judged, what was found, the exit code."""
    c = report.counts()
    line = (f"{len(report.judged)} inputs read by kafka-guardrails ({c['judged']} judged, {c['harmless']} harmless, "
            f"{c['unjudged']} unjudged): {report.mandatory} mandatory, {report.advisory} advisory finding(s)")
    code = report.exit_code()
    why = {0: "pass", 1: "blocked: mandatory findings", 2: "not passed: some inputs were not judged"}[code]
    return f"{line} -> exit {code} ({why})."


def as_json(report: Report, version: str) -> str:
    return json.dumps({
        "tool": TOOL, "version": version, "mode": report.mode, "target": report.target,
        "summary": {"resources": len(report.judged), "mandatory": report.mandatory, "advisory": report.advisory,
                    **report.counts(), "exit": report.exit_code()},
        "resources": [j.__dict__ for j in report.judged],
        "findings": [{**r.__dict__, "resources": list(r.resources)} for r in report.results],
        "outputs": report.outputs, "outputs_simulated": report.simulated, "placeholders": report.placeholders,
        "warnings": report.warnings,
    }, indent=2, sort_keys=True, default=str) + "\n"


def _rule_key(rule_id: str, policy: str) -> str:
    return f"{rule_id}/{policy}"


def sarif(report: Report, version: str, base: str = "") -> str:
    """SARIF 2.1.0: every policy as a rule (id, help, default level), every finding as a result with
    the file (and line) it was read from, relative to `base` when given."""
    rules = []
    for rule in RULES:
        rules.append({
            "id": _rule_key(rule.id, rule.name), "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": f"{rule.id}: {rule.title}."},
            "help": {"text": rule.fix, "markdown": f"**{rule.id}** {rule.title}.\n\nFix: {rule.fix}"},
            "defaultConfiguration": {"level": "error" if rule.level == "mandatory" else "warning"},
            "properties": {"tags": ["security", "kafka"], "precision": "high",
                           "security-severity": "8.0" if rule.level == "mandatory" else "4.0"},
        })
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for result in report.results:
        key = _rule_key(result.rule_id, result.policy)
        path, line = _split(result.location or report.target)
        if base and path.startswith(base.rstrip("/") + "/"):
            path = path[len(base.rstrip("/")) + 1:]
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": path or report.target}}}
        if line:
            location["physicalLocation"]["region"] = {"startLine": line}
        if result.resource:
            location["logicalLocations"] = [{"fullyQualifiedName": result.resource, "kind": "resource"}]
        fingerprint = hashlib.sha256(f"{key}|{result.resource}|{result.message}".encode()).hexdigest()[:32]
        entry: dict[str, Any] = {"ruleId": key, "level": "error" if result.level == "mandatory" else "warning",
                       "message": {"text": f"{result.message} Fix: {result.fix}".strip()},
                       "locations": [location], "partialFingerprints": {"secureKafka/v1": fingerprint}}
        if key in index:
            entry["ruleIndex"] = index[key]
        results.append(entry)
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": TOOL, "version": version, "informationUri": INFO_URI,
                                      "rules": rules}},
                  "automationDetails": {"id": f"{TOOL}/{report.mode}/{report.target}"},
                  "results": results}],
    }, indent=2, sort_keys=True) + "\n"


def junit(report: Report) -> str:
    """One testcase per resource judged: failures for mandatory findings, advisory ones as output."""
    by_resource: dict[str, list[Result]] = {}
    for result in report.results:
        by_resource.setdefault(result.resource, []).append(result)
    suite = ET.Element("testsuite", name=f"kafka-guardrails {report.target}", tests=str(len(report.judged)),
                       failures=str(sum(1 for j in report.judged
                                        if any(r.level == "mandatory" for r in by_resource.get(j.label, [])))),
                       errors="0", skipped="0")
    for judged in report.judged:
        case = ET.SubElement(suite, "testcase", classname=judged.type, name=judged.name or judged.label)
        if judged.location:
            file, line = _split(judged.location)
            case.set("file", file)
            if line:
                case.set("line", str(line))
        found = by_resource.get(judged.label, [])
        for result in found:
            if result.level == "mandatory":
                failure = ET.SubElement(case, "failure", message=f"[{result.rule_id}] {result.policy}",
                                        type=result.rule_id)
                failure.text = f"{result.message}\nFix: {result.fix}"
        advisory = [r for r in found if r.level != "mandatory"]
        if advisory:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"ADVISORY [{r.rule_id}] {r.policy}: {r.message}" for r in advisory)
    stack_wide = [r for r in report.results if not r.resource]
    if stack_wide:
        case = ET.SubElement(suite, "testcase", classname="stack", name=report.target)
        suite.set("tests", str(len(report.judged) + 1))
        for result in stack_wide:
            if result.level == "mandatory":
                failure = ET.SubElement(case, "failure", message=f"[{result.rule_id}] {result.policy}", type=result.rule_id)
                failure.text = result.message
        if case.find("failure") is not None:
            suite.set("failures", str(int(suite.get("failures", "0")) + 1))
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
