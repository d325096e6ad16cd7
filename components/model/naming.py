"""camelCase (Pulumi inputs, stack files) <-> snake_case (Python args, Terraform arguments)."""
from __future__ import annotations

import re


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
