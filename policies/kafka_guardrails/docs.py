"""The reference's tables of judged forms, harmless kinds and what is not judged (docs/rules.md),
generated from the registries so they cannot drift.

    python -m kafka_guardrails.docs                 print the forms table
    python -m kafka_guardrails.docs docs/rules.md   rewrite the tables between their markers in place
"""
from __future__ import annotations

import sys
from typing import Iterable
from pathlib import Path

from . import FORMS, RULES

START, END = "<!-- forms:start -->", "<!-- forms:end -->"
HARMLESS_START, HARMLESS_END = "<!-- harmless:start -->", "<!-- harmless:end -->"
UNJUDGED_START, UNJUDGED_END = "<!-- unjudged:start -->", "<!-- unjudged:end -->"


def _names(names: Iterable[str]) -> str:
    return "<br>".join(f"`{n}`" for n in names) or "—"


def forms_table() -> str:
    rows = ["| family | Pulumi | Terraform | CloudFormation | Kubernetes | what is read | rules |",
            "|---|---|---|---|---|---|---|"]
    for form in FORMS:
        pulumi = [t for t in form.pulumi if not t.startswith("kubernetes:") or "helm.sh" in t]
        rules = sorted({r.id for r in RULES if set(r.types) & set(form.pulumi + form.terraform + form.cloudformation)})
        rows.append(f"| {form.family} | {_names(pulumi)} | {_names(form.terraform)} | {_names(form.cloudformation)} | "
                    f"{_names(form.api_versions)} | {form.summary} | {', '.join(rules)} |")
    return "\n".join(rows)


def harmless_table() -> str:
    """The kinds the coverage rule counts as harmless, with the reason, from coverage.KINDS."""
    from .coverage import KINDS

    rows = ["| kinds (any dialect; globs) | why they cannot open a network path |", "|---|---|"]
    for kind in KINDS:
        rows.append(f"| {_names(kind.patterns)} | {kind.reason} |")
    return "\n".join(rows)


def unjudged_list() -> str:
    """What the gate reports as unjudged, and how to get it judged, from coverage.NOT_JUDGED."""
    from .coverage import NOT_JUDGED

    return "\n".join(f"- {what}: {why}." for what, why in NOT_JUDGED)


def _between(text: str, start: str, end: str, body: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def rewrite(path: Path) -> bool:
    """Replace the generated tables between their markers; True when the file changed."""
    text = path.read_text()
    updated = _between(text, START, END, forms_table())
    if HARMLESS_START in updated:
        updated = _between(updated, HARMLESS_START, HARMLESS_END, harmless_table())
    if UNJUDGED_START in updated:
        updated = _between(updated, UNJUDGED_START, UNJUDGED_END, unjudged_list())
    if updated != text:
        path.write_text(updated)
    return updated != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("updated" if rewrite(Path(sys.argv[1])) else "unchanged")
    else:
        print(forms_table())
