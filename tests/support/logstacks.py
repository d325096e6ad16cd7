"""How the two log stacks select lines, for the rules we ship to them (there is no Loki or Fluent Bit here):
LogQL line filters (`|=`, `!=`, `|~`, `!~` after a stream selector; Go-quoted strings, RE2 expressions —
ours use only what RE2 and Python's `re` read alike) and Fluent Bit's `grep` filter (`Regex <key> <re>`).
Anything else in a rule is refused, so a rule this cannot read fails the test instead of passing it."""
from __future__ import annotations

import re
from typing import Callable

_STAGE = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')
_SELECTOR = re.compile(r'^\s*\{[^{}]*\}')
_RANGE = re.compile(r"^(sum\(count_over_time\()(.*)\s\[(\d+)m\]\)\)\s*>=\s*(\d+)$", re.S)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: m.group(1), text)


def logql_count_rule(expr: str) -> tuple[Callable[[str], bool], int, int]:
    """(does a line pass the rule's line filters, range minutes, threshold) of
    `sum(count_over_time({...} <filters> [Nm])) >= T`."""
    whole = _RANGE.match(expr.strip())
    assert whole, f"not a count rule this reads: {expr}"
    pipeline = whole.group(2)
    selector = _SELECTOR.match(pipeline)
    assert selector, f"no stream selector: {pipeline}"
    rest, stages = pipeline[selector.end():], []
    while rest.strip():
        stage = _STAGE.match(rest)
        assert stage, f"a LogQL stage this does not read: {rest!r}"
        stages.append((stage.group(1), _unquote(stage.group(2))))
        rest = rest[stage.end():]

    def passes(line: str) -> bool:
        for op, arg in stages:
            hit = (arg in line) if op in ("|=", "!=") else re.search(arg, line) is not None
            if hit != (op in ("|=", "|~")):
                return False
        return True
    return passes, int(whole.group(3)), int(whole.group(4))


def fluent_bit_grep(config: str) -> Callable[[str], bool]:
    """The one `grep` filter's `Regex log <re>` of a Fluent Bit configuration, as a line test."""
    regexes = re.findall(r"^\s*Regex\s+log\s+(\S+)\s*$", config, re.M)
    assert len(regexes) == 1 and "Name   grep" in config, config
    return lambda line: re.search(regexes[0], line) is not None
