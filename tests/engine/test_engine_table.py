"""KAFKA-NET-001/002 over the whole table, in-process: every family, one resource at a time and
as a stack."""
import pytest

from cases import CASES, COMBINED, FAMILIES, NET, STACKS
from kafka_guardrails import FORMS, MANDATORY, Resource, judge_resource, judge_stack
from table import engine_resources, labels


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_table(case):
    findings = judge_resource(Resource(case.type, case.props, name=case.name))
    if case.exposed:
        assert len(findings) >= 1, f"{case.name} should be reported"
        assert {f.policy for f in findings} == {NET}
        assert all(f.rule_id == "KAFKA-NET-001" and f.level == MANDATORY and f.remediation for f in findings)
        assert any(case.port in f.ports for f in findings), [f.ports for f in findings]
        assert all(f.resources == (case.name,) for f in findings)
    else:
        assert findings == []


@pytest.mark.parametrize("stack", STACKS, ids=lambda s: s.name)
def test_stack_table(stack):
    resources = engine_resources(stack)
    assert len(resources) == len(stack.members)
    alone = [f for r in resources for f in judge_resource(r) if f.policy == NET]
    assert alone == [], "a stack case must need the stack: no member may be exposed on its own"
    findings = judge_stack(resources)
    assert {f.policy for f in findings} == set(stack.policies), [f.message for f in findings]
    if stack.policies:
        assert any(labels(stack, stack.joins) <= set(f.resources) for f in findings), \
            [(f.resources, f.message) for f in findings]
    if stack.policies == COMBINED:
        assert any(stack.port in f.ports for f in findings), [f.ports for f in findings]


def test_every_family_has_exposed_and_safe_cases():
    assert len(FAMILIES) >= 9
    for name, module in FAMILIES.items():
        cases = getattr(module, "CASES", [])
        stacks = getattr(module, "STACKS", [])
        exposed = [c for c in cases if c.exposed] + [s for s in stacks if s.policies]
        safe = [c for c in cases if not c.exposed] + [s for s in stacks if not s.policies]
        assert len(exposed) >= 1 and len(safe) >= 1, name
    assert len(CASES) >= 180 and len(STACKS) >= 35
    assert len({c.name for c in CASES}) == len(CASES) and len({s.name for s in STACKS}) == len(STACKS)


def test_every_form_has_a_case():
    """No form is registered without a table case that reaches it (alone or in a stack)."""
    used = {c.type for c in CASES} | {m.type for s in STACKS for m in s.members}
    missing = [f.key for f in FORMS if "net" in f.models and not (set(f.pulumi) | set(f.terraform) | set(f.cloudformation)) & used]
    assert missing == []
