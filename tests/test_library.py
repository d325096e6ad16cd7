"""secure_kafka as a library other stacks adopt: everything exported, every argument and output
documented where help() and an IDE show it, version, licence and typing markers."""
import dataclasses
import inspect
import re
from pathlib import Path

import pulumi

import secure_kafka

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ["CustomerKey", "KafkaOnKubernetes", "KafkaSecurityGroup", "KRaftControllerQuorum", "MskCluster",
              "SelfManagedKafka", "ZooKeeperEnsemble"]


def test_every_component_and_argument_type_is_exported():
    exported = set(secure_kafka.__all__)
    assert len(exported) == 21
    for name in COMPONENTS:
        assert name in exported and f"{name}Args" in exported
        assert issubclass(getattr(secure_kafka, name), pulumi.ComponentResource)
    assert all(getattr(secure_kafka, name) is not None for name in exported)


def documented(doc: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", doc) is not None


def test_every_argument_is_documented_with_its_default_or_allowed_values():
    data = [getattr(secure_kafka, n) for n in secure_kafka.__all__
            if dataclasses.is_dataclass(getattr(secure_kafka, n))]
    assert len(data) == 13
    for cls in data:
        doc = inspect.getdoc(cls) or ""
        assert "Attributes:" in doc, cls.__name__
        # own fields, or (for args extending NodeGroupArgs) a pointer to where the rest are documented
        inherited = {f.name for base in cls.__mro__[1:] if dataclasses.is_dataclass(base)
                     for f in dataclasses.fields(base)}
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in inherited and not documented(doc, f.name)]
        assert not missing, (cls.__name__, missing)
        if inherited:
            assert cls.__mro__[1].__name__ in doc, cls.__name__


def test_every_component_documents_its_outputs():
    for name in COMPONENTS:
        cls = getattr(secure_kafka, name)
        doc = inspect.getdoc(cls) or ""
        assert "Outputs:" in doc, name
        outputs = [a for a in inspect.get_annotations(cls)]
        assert outputs, name
        missing = [a for a in outputs if not documented(doc, a)]
        assert not missing, (name, missing)


def test_version_licence_and_typing_markers_ship():
    assert re.fullmatch(r"\d+\.\d+\.\d+", secure_kafka.__version__)
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "components" / "py.typed").exists() and (ROOT / "policies" / "kafka_guardrails" / "py.typed").exists()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {secure_kafka.__version__}" in changelog


def test_importing_the_library_does_not_load_platforms_it_does_not_use():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import sys; from secure_kafka import MskCluster; "
                           "print('pulumi_kubernetes' in sys.modules)"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
