"""The controllers' AlterConfigs policy ships compiled (components/render): the class is exactly what
`javac --release 11` makes of its source against the kafka-clients of each release the platforms run, so
the binary in the package is the reviewed source. Its effect on the real controllers is claimed in
test_kraft.py (refused) and test_mutations.py (without it, stored)."""
import subprocess

import pytest

from harness import KAFKA_4, KAFKA_VERSION, kafka_classpath
from secure_kafka.render.loginpolicy import CLASS_FILE, POLICY_CLASS, SOURCE

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("version", [KAFKA_VERSION, KAFKA_4])
def test_the_shipped_class_is_its_source_compiled(version, tmp_path):
    done = subprocess.run(["javac", "--release", "11", "-cp", kafka_classpath(version), "-d", str(tmp_path),
                           str(SOURCE)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = tmp_path / (POLICY_CLASS.replace(".", "/") + ".class")
    assert built.read_bytes() == CLASS_FILE.read_bytes(), f"rebuild {CLASS_FILE} from {SOURCE}"
