"""The import rules of the package layout (each sub-package's docstring says what it may import): pure
layers import no Pulumi provider, day-2 tools import no Pulumi at all, AWS and Kubernetes never reach
into each other, and the rule engine imports nothing of Pulumi or of the library. Checked twice: on
every import statement (module level and inside functions), and by importing the pure layers in a
fresh interpreter and looking at what got loaded."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"secure_kafka": ROOT / "components", "kafka_guardrails": ROOT / "policies" / "kafka_guardrails"}
PROVIDERS = ("pulumi_aws", "pulumi_kubernetes", "pulumi_tls", "pulumi_random", "pulumi_command")
PULUMI = ("pulumi", *PROVIDERS)
LIBRARY = tuple(f"secure_kafka.{part}" for part in
                ("model", "render", "aws", "kubernetes", "ops", "gate", "stack", "cli", "certificates"))


def but(*allowed: str) -> tuple[str, ...]:
    return tuple(name for name in LIBRARY if not any(name == a or name.startswith(a + ".") for a in allowed))


# (module prefix, imports it may not make). A module obeys every rule whose prefix it falls under.
RULES = [
    ("secure_kafka.model", (*PROVIDERS, *but("secure_kafka.model"))),
    ("secure_kafka.render", (*PULUMI, *but("secure_kafka.render", "secure_kafka.model"))),
    ("secure_kafka.certificates", ("pulumi_aws", "pulumi_kubernetes", *but("secure_kafka.model"))),
    ("secure_kafka.aws", ("pulumi_kubernetes", "secure_kafka.kubernetes", "secure_kafka.gate", "secure_kafka.stack",
                          "secure_kafka.cli", "secure_kafka.ops.migrate", "secure_kafka.ops.migration_command",
                          "secure_kafka.ops.audit", "secure_kafka.ops.rolling")),
    ("secure_kafka.kubernetes", ("pulumi_aws", *but("secure_kafka.model", "secure_kafka.render",
                                                    "secure_kafka.certificates", "secure_kafka.kubernetes"))),
    ("secure_kafka.kubernetes.args", PROVIDERS),
    ("secure_kafka.kubernetes.manifests", PROVIDERS),
    ("secure_kafka.kubernetes.validation", PROVIDERS),
    ("secure_kafka.kubernetes.alerts", PROVIDERS),
    ("secure_kafka.ops", (*PULUMI, *but("secure_kafka.ops", "secure_kafka.model", "secure_kafka.render"))),
    ("secure_kafka.gate", (*PROVIDERS, "secure_kafka.aws", "secure_kafka.kubernetes", "secure_kafka.ops",
                           "secure_kafka.stack", "secure_kafka.certificates")),
    ("secure_kafka.stack", ("secure_kafka.gate", "secure_kafka.ops", "secure_kafka.cli")),
    ("kafka_guardrails", (*PULUMI, "secure_kafka")),
]
# The one sanctioned way back up: `python -m secure_kafka.gate` is the CLI's preview.
EXCEPTIONS = {("secure_kafka.gate.__main__", "secure_kafka.cli")}


def module_name(package: str, path: Path) -> str:
    parts = path.relative_to(PACKAGES[package]).with_suffix("").parts
    return ".".join((package, *parts))


def imports(module: str, source: str) -> list[tuple[int, str]]:
    """Every module an import statement names, relative ones resolved; `from p import x` also as p.x."""
    is_package = module.endswith(".__init__")
    package = module.rsplit(".", 1)[0] if not is_package else module[: -len(".__init__")]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return out


def violations(module: str, source: str) -> list[str]:
    found = []
    for line, target in imports(module, source):
        for prefix, forbidden in RULES:
            if not (module == prefix or module.startswith(prefix + ".")):
                continue
            for bad in forbidden:
                if (target == bad or target.startswith(bad + ".")) and (module, bad) not in EXCEPTIONS:
                    found.append(f"{module}:{line} imports {target} ({prefix} may not import {bad})")
    return found


def every_module() -> list[tuple[str, Path]]:
    return [(module_name(package, path), path) for package, root in PACKAGES.items()
            for path in sorted(root.rglob("*.py"))]


def test_every_module_keeps_the_import_rules_of_its_layer():
    modules = every_module()
    names = {name for name, _ in modules}
    # every sub-package is under at least one rule, so a new one cannot slip past unruled
    for name in names:
        if name.startswith("secure_kafka.") and name.count(".") >= 2:
            assert any(name.startswith(prefix + ".") for prefix, _ in RULES), name
    assert {"secure_kafka.model.access", "secure_kafka.kubernetes.manifests", "secure_kafka.ops.rolling",
            "secure_kafka.aws.msk", "kafka_guardrails.rules"} <= names
    problems = [v for name, path in modules for v in violations(name, path.read_text(encoding="utf-8"))]
    assert problems == []


@pytest.mark.parametrize("module, source, expected", [
    ("secure_kafka.render.kafka", "import pulumi_aws as aws\n", "secure_kafka.render may not import pulumi_aws"),
    ("secure_kafka.model.access", "def f():\n    from ..aws import msk\n",
     "secure_kafka.model may not import secure_kafka.aws"),
    ("secure_kafka.kubernetes.manifests", "from pulumi_kubernetes import core\n",
     "secure_kafka.kubernetes.manifests may not import pulumi_kubernetes"),
    ("secure_kafka.ops.rollgate", "import pulumi\n", "secure_kafka.ops may not import pulumi"),
    ("secure_kafka.aws.msk", "from ..kubernetes.manifests import manifests\n",
     "secure_kafka.aws may not import secure_kafka.kubernetes"),
    ("kafka_guardrails.rules", "from secure_kafka import MskCluster\n", "kafka_guardrails may not import secure_kafka"),
])
def test_the_rules_catch_a_forbidden_import(module, source, expected):
    found = violations(module, source)
    assert len(found) >= 1 and expected in found[0]


def test_allowed_imports_are_not_flagged():
    assert violations("secure_kafka.render.kraft", "from ..model.pki import BROKER_IDENTITY\n") == []
    assert violations("secure_kafka.aws.rollout", "from ..ops.rollgate import ENV\nimport pulumi_command\n") == []
    assert violations("secure_kafka.kubernetes.component", "import pulumi_kubernetes as k8s\n") == []


PURE = ["secure_kafka.model.access", "secure_kafka.model.pki", "secure_kafka.model.configtypes",
        "secure_kafka.model.checks", "secure_kafka.model.userfiles", "secure_kafka.render.kafka",
        "secure_kafka.render.kraft", "secure_kafka.render.zookeeper", "secure_kafka.render.cloudinit",
        "secure_kafka.render.migration", "secure_kafka.kubernetes.manifests", "secure_kafka.kubernetes.validation",
        "secure_kafka.ops.rolling", "secure_kafka.ops.rollgate", "secure_kafka.ops.migrate",
        "secure_kafka.ops.migration_command"]


def test_the_pure_layers_load_no_provider_and_the_tools_no_pulumi():
    code = ("import importlib, json, sys\n"
            f"for name in {PURE!r}: importlib.import_module(name)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded = set(json.loads(done.stdout))
    assert not {m.split(".")[0] for m in loaded} & set(PROVIDERS), sorted(loaded)
    tools = ("import importlib, json, sys\n"
             "for name in ['secure_kafka.ops.rolling', 'secure_kafka.ops.rollgate', 'secure_kafka.ops.migrate',"
             " 'secure_kafka.ops.migration_command', 'secure_kafka.render.kafka']: importlib.import_module(name)\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi'))))\n")
    done = subprocess.run([sys.executable, "-c", tools], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == []
