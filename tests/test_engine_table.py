"""KAFKA-NET-001 over the whole table, in-process."""
import pytest

from cases import CASES
from kafka_guardrails import MANDATORY, Resource, judge_resource


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_table(case):
    findings = judge_resource(Resource(case.type, case.props, name=case.name))
    if case.exposed:
        assert findings, f"{case.name} should be reported"
        assert all(f.rule_id == "KAFKA-NET-001" for f in findings)
        assert any(f.level == MANDATORY for f in findings)
        assert any(case.port in f.ports for f in findings)
        assert all(f.remediation for f in findings)
    else:
        assert findings == []


def test_table_size_and_balance():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    assert sum(c.exposed for c in CASES) >= 25 and sum(not c.exposed for c in CASES) >= 25
