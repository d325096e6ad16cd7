"""The form registry: one record per kind of resource the engine reads.

A Form names the resource kind in every dialect (Pulumi token, Terraform type,
CloudFormation type; Kubernetes kinds are Pulumi tokens, `kubernetes:<group>/<version>:<Kind>`),
holds one extractor per model it feeds (the neutral network model, the MSK model, the
workload model), and says how to fix and revoke what it exposes. The policy pack, the checkov
checks, the Terraform-plan writer and the forms table in docs/rules.md all read this registry, so a new form
is one module under `forms/` and its tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

DIALECTS = ("pulumi", "terraform", "cloudformation")


# A model extractor: (resource, canonical properties) -> the model (a Net, a Workload, ...).
Extractor = Callable[[Any, Any], Any]

@dataclass(frozen=True)
class Form:
    key: str                       # stable id, e.g. "aws.security-group"
    family: str                    # the docs table groups forms by family
    summary: str                   # what the engine reads in it, one line for the docs
    pulumi: tuple[str, ...] = ()
    terraform: tuple[str, ...] = ()
    cloudformation: tuple[str, ...] = ()
    models: Mapping[str, Extractor] = field(default_factory=dict)
    fix: str = ""                  # the code change that removes an exposure, in words
    revoke: Optional[Callable[..., str]] = None  # (resource, entry, offending) -> a command for now
    renames: Mapping[str, str] = field(default_factory=dict)  # Terraform camel path -> canonical key
    maps: frozenset[Any] = frozenset()  # keys whose values are free-form maps (not converted)
    # For a form that reads only some instances (a Helm release of a chart it knows): (resource, canonical
    # properties) -> None when it reads this one, else why not; the coverage rule reports those as unjudged.
    reads: Optional[Callable[[Any, Any], Optional[str]]] = None

    @property
    def kinds(self) -> tuple[str, ...]:
        """Kubernetes kinds (for checkov's supported entities)."""
        return tuple(sorted({t.rsplit(":", 1)[1] for t in self.pulumi if t.startswith("kubernetes:")}))

    @property
    def api_versions(self) -> tuple[str, ...]:
        """apiVersion/Kind spellings of the Kubernetes tokens, for the docs."""
        out = []
        for token in self.pulumi:
            if token.startswith("kubernetes:") and "helm.sh" not in token:
                _, version, kind = token.split(":")
                out.append(f"{version.removeprefix('core/')}/{kind}")
        return tuple(out)

    def names(self, dialect: str) -> tuple[str, ...]:
        names: tuple[str, ...] = getattr(self, dialect)
        return names


class FormRegistry:
    """Every type name maps to exactly one form; a second claim on a name is an error."""

    def __init__(self) -> None:
        self._forms: dict[str, Form] = {}
        self._by_type: dict[str, tuple[Form, str]] = {}
        self.version = 0  # bumped on every registration, so derived tables know to refresh

    def register(self, form: Form) -> Form:
        if form.key in self._forms:
            raise ValueError(f"duplicate form {form.key!r}")
        for dialect in DIALECTS:
            for name in form.names(dialect):
                if name in self._by_type:
                    raise ValueError(f"{name!r} is claimed by {self._by_type[name][0].key!r} and {form.key!r}")
                self._by_type[name] = (form, dialect)
        self._forms[form.key] = form
        self.version += 1
        return form

    def remove(self, key: str) -> None:
        """Take a form out again (tests that add one, plugins that replace one)."""
        form = self._forms.pop(key)
        for dialect in DIALECTS:
            for name in form.names(dialect):
                self._by_type.pop(name, None)
        self.version += 1

    def __iter__(self) -> Iterator[Form]:
        return iter(sorted(self._forms.values(), key=lambda f: (f.family, f.key)))

    def __len__(self) -> int:
        return len(self._forms)

    def __getitem__(self, key: str) -> Form:
        return self._forms[key]

    def lookup(self, type_name: str) -> Optional[tuple[Form, str]]:
        return self._by_type.get(type_name)

    def types(self, dialect: Optional[str] = None, models: Iterable[str] = ()) -> frozenset[str]:
        """Type names (of one dialect, or all) of the forms that feed any of `models` (or all forms)."""
        wanted = set(models)
        out: set[str] = set()
        for form in self._forms.values():
            if wanted and not wanted & set(form.models):
                continue
            for d in ([dialect] if dialect else DIALECTS):
                out.update(form.names(d))
        return frozenset(out)

    def terraform_type(self, token: str) -> Optional[str]:
        """The Terraform twin of a Pulumi token: forms list their AWS tokens and Terraform types in
        the same order."""
        found = self._by_type.get(token)
        if found is None:
            return None
        form = found[0]
        bridged = [t for t in form.pulumi if not t.startswith(("kubernetes:", "aws-native:"))]
        index = bridged.index(token) if token in bridged else -1
        return form.terraform[index] if 0 <= index < len(form.terraform) else None


FORMS = FormRegistry()

# Models fed by every resource that no form reads (coverage, the fallback detector): name -> extractor.
UNIVERSAL: dict[str, Extractor] = {}


class Unregistered(frozenset):  # type: ignore[type-arg]
    """The type names of a rule that reads a universal model: every name no form claims."""

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        found = FORMS.lookup(name)
        return found is None or found[0].reads is not None  # partial forms are checked per instance


UNREGISTERED = Unregistered()


def form(**kwargs: Any) -> Form:
    """Declare and register a form in one statement (used by the modules under forms/)."""
    return FORMS.register(Form(**kwargs))
