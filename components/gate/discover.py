"""What a repository holds that deploys infrastructure, for `secure-kafka scan`: Pulumi projects (each
stack), Terraform modules and plans, CloudFormation templates, Kubernetes manifests — found by content,
not by a list of paths someone has to keep up to date.

Everything the walk meets is accounted for: a target to judge, a file that is not infrastructure
(passed over, counted by reason), a directory not entered (hidden, vendored, excluded: listed), or an
input that looks like infrastructure but cannot be read (unjudged, which fails the scan). Helm charts
are reported as unjudged: their templates are not YAML until rendered (`helm template`)."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from kafka_guardrails.files import detect

from ..model.errors import UsageError
from ..model.userfiles import read_text
from .files import SUFFIXES, _documents
from .project import load_project

# Directories never entered: version control, tool caches and installed dependencies, not the
# repository's own code. Any other directory is entered, hidden ones too (a `.deploy/` of manifests is
# judged); each one passed over is listed.
VENDORED = ("node_modules", "__pycache__", "venv", "site-packages", ".git", ".hg", ".svn", ".terraform", ".pulumi",
            ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".cache", ".idea",
            ".vscode", ".direnv", ".eggs")


@dataclass(frozen=True)
class Target:
    kind: str               # pulumi | files
    path: Path
    stacks: tuple[str, ...] = ()

    def describe(self, root: Path) -> str:
        where = relative(self.path, root)
        return f"pulumi   {where} (stacks: {', '.join(self.stacks) or 'none'})" if self.kind == "pulumi" \
            else f"files    {where}"


@dataclass
class Found:
    targets: list[Target] = field(default_factory=list)
    passed_over: dict[str, list[str]] = field(default_factory=dict)   # reason -> paths
    unjudged: list[tuple[str, str]] = field(default_factory=list)    # (path, why)
    by_suffix: dict[str, int] = field(default_factory=dict)          # files of other suffixes, counted

    def pass_over(self, reason: str, path: str) -> None:
        self.passed_over.setdefault(reason, []).append(path)

    @property
    def files(self) -> list[Path]:
        return [t.path for t in self.targets if t.kind == "files"]


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) or "."
    except ValueError:
        return str(path)


# Infrastructure the gate has no reader for: reported as not judged, never passed over by suffix.
NOT_READ = {".tf.json": "Terraform JSON configuration", "terragrunt.hcl": "a Terragrunt configuration",
            ".bicep": "an Azure Bicep template", ".jsonnet": "a Jsonnet template", ".libsonnet": "a Jsonnet library"}


def _not_read(name: str) -> Optional[str]:
    for ending, what in NOT_READ.items():
        if name == ending or name.endswith(ending):
            return (f"{what}, which the gate does not read: judge what it produces (a Terraform plan, "
                    "rendered manifests or templates)")
    return None


def _half_known(doc: Any) -> Optional[str]:
    """A document shaped like infrastructure that no front end takes: said, not passed over."""
    if not isinstance(doc, dict):
        return None
    if "AWSTemplateFormatVersion" in doc or "Resources" in doc:
        return "shaped like a CloudFormation template, but without a readable `Resources` mapping"
    if "apiVersion" in doc or "kind" in doc:
        return "shaped like a Kubernetes object, but without both `apiVersion` and `kind`"
    if isinstance(doc.get("resource"), dict) or isinstance(doc.get("module"), dict):
        return "shaped like Terraform JSON configuration, which the gate does not read: judge a plan"
    return None


def _kind(path: Path) -> tuple[Optional[str], str]:
    """(what a file is read as, or None; why not) by its content, parsed as the judging will read it."""
    if path.suffix == ".tf":
        return "terraform", ""
    try:
        docs = [doc for _, doc in _documents(path)]
    except UsageError as error:
        return None, str(error)
    kinds = sorted(kind for kind in (detect(doc) for doc in docs) if kind is not None)
    if kinds:
        return kinds[0], ""
    return None, next((why for why in map(_half_known, docs) if why), "")


def discover(root: Path, exclude: Iterable[str] = ()) -> Found:
    root = root.resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    patterns = tuple(exclude)
    found = Found()
    claimed: set[Path] = set()
    for directory, dirs, names in os.walk(root):
        here = Path(directory)
        rel = relative(here, root)
        keep = []
        for name in sorted(dirs):
            sub = f"{rel}/{name}" if rel != "." else name
            if name in VENDORED or name.startswith(".venv"):
                found.pass_over("directory not entered (version control, tool cache or installed packages)", sub)
            elif any(fnmatch.fnmatch(sub, p) for p in patterns):
                found.pass_over("excluded (--exclude)", sub)
            elif (here / name).is_symlink():  # os.walk does not follow it: say so rather than skip it
                found.unjudged.append((sub, "a symbolic link to a directory, not followed: judge its target "
                                            "(or --exclude it)"))
            else:
                keep.append(name)
        dirs[:] = keep
        if "Chart.yaml" in names:  # a Helm chart: templates are not YAML until rendered
            found.unjudged.append((rel, "a Helm chart: its templates are judged once rendered "
                                        "(`helm template ... > rendered.yaml`, then judge that file)"))
            dirs[:] = []
            continue
        if "Pulumi.yaml" in names or "Pulumi.yml" in names:
            try:
                project = load_project(here)
            except UsageError as error:
                found.unjudged.append((rel, str(error)))
            else:
                found.targets.append(Target("pulumi", here, tuple(project.stacks())))
                claimed.update(project.stack_config_dir.glob("Pulumi.*.yaml"))
                claimed.update(here / n for n in ("Pulumi.yaml", "Pulumi.yml"))
        for name in sorted(names):
            path = here / name
            shown = f"{rel}/{name}" if rel != "." else name
            if path in claimed:
                continue
            if any(fnmatch.fnmatch(shown, p) for p in patterns):
                found.pass_over("excluded (--exclude)", shown)
                continue
            not_read = _not_read(name)
            if not_read:
                found.unjudged.append((shown, not_read))
                continue
            if path.suffix not in SUFFIXES:  # source code, docs, images: counted by suffix
                found.by_suffix[path.suffix or "(none)"] = found.by_suffix.get(path.suffix or "(none)", 0) + 1
                continue
            kind, why = _kind(path)
            if kind is not None:
                found.targets.append(Target("files", path))
            elif why:
                found.unjudged.append((shown, why))
            else:
                found.pass_over("not infrastructure (no Terraform, CloudFormation, Pulumi or Kubernetes content)", shown)
    return found


def read_targets(file: Path, root: Path) -> Found:
    """A list of what to judge, one path per line (relative to the root; `#` comments): a Pulumi project
    directory, optionally followed by the stacks to judge (default: all of them), or a file or directory
    to discover in."""
    lines = read_text(file, "--targets").splitlines()
    found = Found()
    for number, raw in enumerate(lines, 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        path = (root / words[0]).resolve()
        if not path.exists():
            raise UsageError(f"--targets {file}:{number}: {words[0]} does not exist under {root}")
        if path.is_dir() and ((path / "Pulumi.yaml").exists() or (path / "Pulumi.yml").exists()):
            project = load_project(path)
            stacks = tuple(words[1:]) or tuple(project.stacks())
            unknown = sorted(set(stacks) - set(project.stacks()))
            if unknown:
                raise UsageError(f"--targets {file}:{number}: {words[0]} has no stack {unknown[0]!r} "
                                 f"(stacks: {', '.join(project.stacks()) or 'none'})")
            found.targets.append(Target("pulumi", path, stacks))
        elif path.is_dir():
            inner = discover(path)
            found.targets += inner.targets
            found.unjudged += inner.unjudged
            for suffix, count in inner.by_suffix.items():
                found.by_suffix[suffix] = found.by_suffix.get(suffix, 0) + count
            for reason, paths in inner.passed_over.items():
                for p in paths:
                    found.pass_over(reason, f"{words[0].rstrip('/')}/{p}")
        else:
            found.targets.append(Target("files", path))
    return found
