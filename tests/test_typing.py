"""The components and the engine under mypy --strict (settings in pyproject.toml): a misspelled or
mistyped provider property fails here, as the provider would fail it at `pulumi up`.

pulumi-aws is 137 MB of typed Python; a cold mypy over all of it took 3 minutes and 2.6 GB here (6 under
the loaded CI run). The provider modules our code names (`aws.msk`, `aws.get_region_output`, ... found by
reading the sources, with the modules those import) are laid out as the package mypy sees, unchanged;
a module the code starts to use is picked up the same way, and one it names that is not there fails."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pulumi_aws
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROVIDER = Path(pulumi_aws.__file__).parent


def provider_modules() -> dict[str, Path]:
    """Each `aws.<name>` our sources use (in the modules that `import pulumi_aws as aws`, the one way
    they import it) -> the provider's file or folder that defines it, plus the
    provider's own sub-packages those import (`from .. import iam`)."""
    sources = [*(ROOT / "components").rglob("*.py"), *(ROOT / "policies" / "kafka_guardrails").rglob("*.py")]
    texts = [t for t in (path.read_text() for path in sources) if re.search(r"^import pulumi_aws as aws$", t, re.M)]
    used = {n for text in texts for n in re.findall(r"(?<![\w.])aws\.([a-z][a-z0-9_]*)\b", text)}
    found: dict[str, Path] = {}
    for name in sorted(used):
        if (PROVIDER / name).is_dir():
            found[name] = PROVIDER / name
            continue
        owners = [f for f in PROVIDER.glob("*.py") if re.search(rf"^def {name}\(", f.read_text(), re.M)]
        assert owners, f"aws.{name} is used but pulumi-aws defines no such module or function"
        found[name] = owners[0]
    todo = [p for p in found.values() if p.is_dir()]
    while todo:
        for dep in {d for f in todo.pop().rglob("*.py") for d in re.findall(r"^from \.\. import (\w+)$", f.read_text(), re.M)}:
            if dep != "_utilities" and dep not in found:
                found[dep] = PROVIDER / dep
                todo.append(PROVIDER / dep)
    return found


def mypy_config(where: Path) -> Path:
    """pyproject's [tool.mypy] as a mypy.ini, plus: the provider is a dependency, not ours to fix."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    text = "[mypy]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items() if k != "overrides")
    for override in settings.get("overrides", []):
        text += f"[mypy-{','.join(override['module'])}]\n" + "".join(
            f"{k} = {v}\n" for k, v in override.items() if k != "module")
    text += "[mypy-pulumi_aws,pulumi_aws.*]\nignore_errors = True\n"
    (where / "mypy.ini").write_text(text)
    return where / "mypy.ini"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The import packages laid out as installed (secure_kafka, kafka_guardrails), and the provider
    modules they use, for mypy."""
    where = tmp_path_factory.mktemp("typecheck")
    (where / "secure_kafka").symlink_to(ROOT / "components")
    (where / "kafka_guardrails").symlink_to(ROOT / "policies" / "kafka_guardrails")
    aws = where / "pulumi_aws"
    aws.mkdir()
    (aws / "_utilities.py").symlink_to(PROVIDER / "_utilities.py")
    exports = []
    for name, path in provider_modules().items():
        (aws / path.name).symlink_to(path)
        exports.append(f"from . import {name} as {name}\n" if path.is_dir()
                       else f"from .{path.stem} import {name} as {name}\n")
    (aws / "__init__.pyi").write_text("".join(sorted(exports)))
    mypy_config(where)
    return where


def mypy(tree, *targets):
    cache = ROOT / ".cache" / "mypy"
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(tree / "mypy.ini"),
                           "--cache-dir", str(cache), *targets], cwd=tree, capture_output=True, text=True,
                          timeout=900)


PROBE = ("import pulumi_aws as aws\n"
         "from secure_kafka import ClientAccess\n"
         "info = aws.msk.ClusterBrokerNodeGroupInfoArgs(client_subnets=['s'], instance_type='kafka.m5.large',\n"
         "                                              security_groups=['sg'], az_distrbution='DEFAULT')\n"
         "client = ClientAccess(name=3)\n")


@pytest.fixture(scope="module")
def checked(tree):
    """One mypy run (the slowest test of the suite when run twice): the packages, plus a probe file with
    two mistakes a user could make, so both claims below read the same output."""
    (tree / "probe.py").write_text(PROBE)
    done = mypy(tree, "-p", "secure_kafka", "-p", "kafka_guardrails", "-m", "probe")
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    return done, errors


def test_components_and_engine_pass_mypy_strict(checked):
    done, errors = checked
    assert [e for e in errors if not e.startswith("probe.py:")] == [], done.stdout[-5000:]
    expected = len(list((ROOT / "components").rglob("*.py"))) + len(list((ROOT / "policies" / "kafka_guardrails")
                                                                          .rglob("*.py")))
    assert f"Found 2 errors in 1 file (checked {expected + 1} source files)" in done.stdout, done.stdout[-5000:]


def test_the_same_check_catches_a_misspelled_provider_property(checked):
    done, errors = checked
    assert done.returncode == 1 and len(errors) == 2, done.stdout[-5000:]
    assert any('Unexpected keyword argument "az_distrbution"' in e for e in errors)
    assert any('Argument "name" to "ClientAccess" has incompatible type "int"' in e for e in errors)
