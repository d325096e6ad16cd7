"""The README's table of judged forms, generated from the form registry so it cannot drift.

    python -m kafka_guardrails.docs            print the table
    python -m kafka_guardrails.docs README.md  rewrite the table between its markers in place
"""
from __future__ import annotations

import sys
from typing import Iterable
from pathlib import Path

from . import FORMS, RULES

START, END = "<!-- forms:start -->", "<!-- forms:end -->"


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


def rewrite(path: Path) -> bool:
    """Replace the table between the markers; True when the file changed."""
    text = path.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    updated = f"{head}{START}\n{forms_table()}\n{END}{tail}"
    if updated != text:
        path.write_text(updated)
    return updated != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("updated" if rewrite(Path(sys.argv[1])) else "unchanged")
    else:
        print(forms_table())
