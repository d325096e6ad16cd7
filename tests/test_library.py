"""secure_kafka as a library other stacks adopt: everything exported, every argument and output
documented where help() and an IDE show it, version, licence and typing markers."""
import dataclasses
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pulumi

import secure_kafka

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ["CustomerKey", "KafkaOnKubernetes", "KafkaSecurityGroup", "KRaftControllerQuorum", "MskCluster",
              "SelfManagedKafka", "ZooKeeperEnsemble"]


# The public API and where each name lives since the split by role (0.3.0). `from secure_kafka import X`
# is what users write; this pin makes any addition, removal or move a deliberate change.
PUBLIC = {
    "BringYourOwnCa": "model.pki", "ClientAccess": "aws.security_groups", "ClientQuota": "render.kafka",
    "OAuthArgs": "model.oauth",
    "ConfigError": "model.errors", "ContainerResources": "kubernetes.args", "CustomerKey": "aws.keys",
    "CustomerKeyArgs": "aws.keys", "KRaftControllerQuorum": "aws.controllers",
    "KRaftControllerQuorumArgs": "aws.controllers", "KafkaOnKubernetes": "kubernetes.component",
    "KafkaOnKubernetesArgs": "kubernetes.args", "KafkaSecurityGroup": "aws.security_groups",
    "KafkaSecurityGroupArgs": "aws.security_groups", "MskCluster": "aws.msk", "MskClusterArgs": "aws.msk",
    "MskTopic": "aws.msk_topics", "NodeGroupArgs": "aws.nodes", "SecurityAlarms": "aws.alarms",
    "SecurityAlarmsArgs": "model.alarms", "SelfManagedKafka": "aws.self_managed", "SelfManagedKafkaArgs": "aws.self_managed",
    "TopicGrant": "model.access", "ZooKeeperEnsemble": "aws.zookeeper", "ZooKeeperEnsembleArgs": "aws.zookeeper",
}


def test_the_public_api_is_pinned_with_the_home_of_each_name():
    assert secure_kafka.__all__ == sorted(PUBLIC)
    assert {name: getattr(secure_kafka, name).__module__ for name in secure_kafka.__all__} == {
        name: f"secure_kafka.{home}" for name, home in PUBLIC.items()}


def run_python(code: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_old_module_paths_still_import_and_warn_with_the_new_place():
    done = run_python(
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    import secure_kafka.msk as old\n"
        "    from secure_kafka.pki import generate_ca, broker_certs\n"
        "    from secure_kafka.kubernetes import config_files\n"
        "    import secure_kafka.audit.collect as collect\n"
        "import secure_kafka.aws.msk, secure_kafka.certificates, secure_kafka.model.pki, secure_kafka.ops.audit.collect\n"
        "from secure_kafka.kubernetes import manifests\n"
        "assert old is secure_kafka.aws.msk and collect is secure_kafka.ops.audit.collect\n"
        "assert generate_ca is secure_kafka.certificates.generate_ca\n"
        "assert broker_certs is secure_kafka.model.pki.broker_certs and config_files is manifests.config_files\n"
        "for w in seen: print(w.category.__name__, w.message)\n")
    assert done.returncode == 0, done.stderr
    lines = set(done.stdout.splitlines())
    assert "DeprecationWarning secure_kafka.msk moved to secure_kafka.aws.msk in 0.3.0; the old path goes in 0.4.0" in lines
    assert ("DeprecationWarning secure_kafka.pki.generate_ca moved to secure_kafka.certificates.generate_ca in 0.3.0; "
            "the old path goes in 0.4.0") in lines
    assert any("secure_kafka.kubernetes.config_files moved to secure_kafka.kubernetes.manifests.config_files" in l
               for l in lines)
    assert any("secure_kafka.audit.collect moved to secure_kafka.ops.audit.collect" in l for l in lines)


def test_the_new_paths_and_the_package_import_without_a_warning():
    done = run_python("import secure_kafka, secure_kafka.aws.msk, secure_kafka.kubernetes.manifests, "
                      "secure_kafka.ops.rolling, secure_kafka.stack.config\n"
                      "from secure_kafka import MskCluster, KafkaOnKubernetes", "-W", "error::DeprecationWarning")
    assert done.returncode == 0, done.stderr
    old = run_python("import secure_kafka.msk", "-W", "error::DeprecationWarning")
    assert old.returncode == 1 and "secure_kafka.msk moved to secure_kafka.aws.msk" in old.stderr
    unknown = run_python("import secure_kafka.nothing")
    assert unknown.returncode == 1 and "No module named 'secure_kafka.nothing'" in unknown.stderr


def test_every_component_and_argument_type_is_exported():
    exported = set(secure_kafka.__all__)
    for name in COMPONENTS:
        assert name in exported and f"{name}Args" in exported
        assert issubclass(getattr(secure_kafka, name), pulumi.ComponentResource)
    assert all(getattr(secure_kafka, name) is not None for name in exported)


def documented(doc: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", doc) is not None


def test_every_argument_is_documented_with_its_default_or_allowed_values():
    names = [n for n in secure_kafka.__all__ if dataclasses.is_dataclass(getattr(secure_kafka, n))]
    assert names == ["BringYourOwnCa", "ClientAccess", "ClientQuota", "ContainerResources", "CustomerKeyArgs",
                     "KRaftControllerQuorumArgs", "KafkaOnKubernetesArgs", "KafkaSecurityGroupArgs", "MskClusterArgs",
                     "MskTopic", "NodeGroupArgs", "OAuthArgs", "SecurityAlarmsArgs", "SelfManagedKafkaArgs",
                     "TopicGrant", "ZooKeeperEnsembleArgs"]
    data = [getattr(secure_kafka, n) for n in names]
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
