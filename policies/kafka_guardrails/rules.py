"""The rule registry: a rule is declared once (id, policy name, title, level, fix, the model
it reads) and every finding takes its id and level from that declaration.

A resource rule is `check(resource, model, settings) -> Iterable[Issue]` and runs on every
resource whose form feeds its model; a stack rule is `check(stack, settings)` and runs once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional, Sequence

from .dialects import form_of, model
from .model import ADVISORY, MANDATORY, Finding, Resource
from .registry import FORMS, UNIVERSAL, UNREGISTERED
from .settings import Settings


class Issue(NamedTuple):
    """What a check reports; the registry turns it into a Finding under its rule."""

    message: str
    resources: tuple[Resource, ...] = ()   # every resource the issue joins; the first anchors it
    fix: str = ""                          # added to the rule's fix (e.g. the revoke command)
    path: str = ""
    ports: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    unknown: bool = False


_TYPES: dict[tuple[str, int], frozenset[Any]] = {}


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    level: str
    fix: str
    model: str
    check: Callable[..., Iterable[Issue]]
    stack: bool = False
    also: tuple[str, ...] = ()   # further models a stack rule reads
    dialect: str = ""            # only the type names of one dialect (e.g. "cloudformation"), or all

    @property
    def types(self) -> frozenset[Any]:
        """Every type name (all dialects) this rule reads; a rule of a universal model reads every
        type no form claims."""
        if self.model in UNIVERSAL:
            return UNREGISTERED
        key = (self.name, FORMS.version)
        found = _TYPES.get(key)
        if found is None:
            found = _TYPES[key] = FORMS.types(self.dialect or None, models=[self.model, *self.also])
        return found

    def finding(self, issue: Issue, settings: Settings, subject: Optional[Resource] = None) -> Finding:
        anchor = issue.resources[0] if issue.resources else subject
        labels = tuple(dict.fromkeys(r.label for r in issue.resources)) or ((subject.label,) if subject else ())
        level = ADVISORY if issue.unknown and settings.preview else self.level
        fix = f"{self.fix} {issue.fix}".strip() if issue.fix else self.fix
        return Finding(self.id, self.name, level, anchor.label if anchor else "stack", issue.message,
                       fix, labels, issue.path, issue.ports, issue.sources, issue.unknown)


class Registry:
    """Rejects a second rule of the same policy name so two rules can never shadow each other."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._by_type: dict[str, list[Rule]] = {}
        self._version = -1

    def add(self, rule: Rule) -> Rule:
        if rule.name in self._rules:
            raise ValueError(f"duplicate rule name {rule.name!r}")
        self._rules[rule.name] = rule
        self._by_type.clear()
        return rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: (r.id, r.name)))

    def __len__(self) -> int:
        return len(self._rules)

    def __getitem__(self, name: str) -> Rule:
        return self._rules[name]

    def clear(self) -> None:
        """Drop the per-type rule lists (rebuilt on first use)."""
        self._by_type.clear()
        _TYPES.clear()

    def resource_rules(self) -> list[Rule]:
        return [r for r in self if not r.stack]

    def stack_rules(self) -> list[Rule]:
        return [r for r in self if r.stack]

    def for_type(self, type_name: str) -> list[Rule]:
        """The resource rules that read a type (precomputed per type: the hot path)."""
        if self._version != FORMS.version:
            self._by_type.clear()
            self._version = FORMS.version
        found = self._by_type.get(type_name)
        if found is None:
            found = self._by_type[type_name] = [r for r in self.resource_rules() if type_name in r.types]
        return found


RULES = Registry()


def rule(id: str, name: str, title: str, level: str, fix: str, model: str,
         stack: bool = False, also: tuple[str, ...] = (), dialect: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a rule where its check is written."""
    def register(check: Callable[..., Any]) -> Callable[..., Any]:
        RULES.add(Rule(id, name, title, level, fix, model, check, stack, also, dialect))
        return check
    return register


def crash(rule_: Rule, error: Exception, subject: Any, settings: Settings) -> Finding:
    """Fail closed: input that trips a rule is reported, never a crash and never a pass."""
    anchor = subject if isinstance(subject, Resource) else None
    issue = Issue(f"the rule {rule_.name} could not read this input ({type(error).__name__}: {error}); "
                  "it is reported rather than passed.",
                  (anchor,) if anchor else (), "Check the resource's properties against the provider schema.")
    finding = rule_.finding(issue, settings, anchor)
    return Finding(finding.rule_id, finding.policy, MANDATORY, finding.resource, finding.message,
                   finding.remediation, finding.resources)


def run(rule_: Rule, subject: Any, settings: Settings) -> list[Finding]:
    """One rule on one resource (or the stack), never raising."""
    try:
        if rule_.stack:
            return [rule_.finding(i, settings) for i in rule_.check(subject, settings)]
        value = model(subject, rule_.model)
        if value is None:
            return []
        issues = rule_.check(subject, value, settings)
        return [rule_.finding(i, settings, subject) for i in issues] if issues else []
    except Exception as error:  # noqa: BLE001 - the point is to catch anything
        return [crash(rule_, error, subject, settings)]


def judge_resource(resource: Resource, settings: Settings = Settings(),
                   rules: Optional[Sequence[Rule]] = None) -> list[Finding]:
    """Every resource rule that reads this resource's type."""
    selected = RULES.for_type(resource.type) if rules is None else \
        [r for r in rules if resource.type in r.types]
    out: list[Finding] = []
    try:
        for rule_ in selected:  # the hot path: one try for all rules
            value = model(resource, rule_.model)
            if value is not None:
                issues = rule_.check(resource, value, settings)
                if issues:
                    out.extend(rule_.finding(issue, settings, resource) for issue in issues)
    except Exception:  # noqa: BLE001 - run them one by one, so the rule that trips is the one reported
        out = [finding for rule_ in selected for finding in run(rule_, resource, settings)]
    finally:
        if not resource._keep:
            resource._models = None  # nothing outlives the judgement but the findings
    return out


def judge_stack(resources: Sequence[Resource], settings: Settings = Settings(),
                rules: Optional[Sequence[Rule]] = None) -> list[Finding]:
    """Every stack rule once over the whole stack."""
    from .stack import Stack

    stack = resources if isinstance(resources, Stack) else Stack(resources)
    out: list[Finding] = []
    for rule_ in rules if rules is not None else RULES.stack_rules():
        out.extend(run(rule_, stack, settings))
    return out


def is_judged(resource: Resource) -> bool:
    return form_of(resource) is not None
