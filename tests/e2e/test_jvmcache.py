"""The harness's class-data sharing (jvmcache.py) does what it says, on the real Kafka runtime: one
JVM lists its classes, a list long enough becomes an archive the next JVM maps (`-Xshare:on` fails
hard where an archive does not fit), and anything that is not on a Kafka runtime is left alone."""
import subprocess

import pytest

import jvmcache
from harness import KAFKA_VERSION, kafka_classpath

pytestmark = pytest.mark.e2e


def test_one_broker_lists_its_classes_and_the_next_jvm_maps_the_archive_made_from_them(tmp_path, monkeypatch):
    monkeypatch.setattr(jvmcache, "CACHE", tmp_path / "cds")
    monkeypatch.setattr(jvmcache, "_LISTING", set())
    runtime = kafka_classpath(KAFKA_VERSION)
    assert jvmcache.launch(["python3", "-c", "pass"]) == ["python3", "-c", "pass"]
    other = ["java", "-cp", str(tmp_path / "other.jar"), "kafka.Kafka", "--version"]
    assert jvmcache.launch(other) == other  # not a Kafka runtime

    first = jvmcache.launch(["java", "-cp", runtime, "kafka.Kafka", "--version"])
    [listing] = [a.split("=", 1)[1] for a in first if a.startswith("-XX:DumpLoadedClassList=")]
    assert first[0] == "java" and first[2:] == ["-cp", runtime, "kafka.Kafka", "--version"]
    second = jvmcache.launch(["java", "-cp", runtime, "kafka.Kafka", "--version"])
    assert second == ["java", "-cp", runtime, "kafka.Kafka", "--version"]  # one lister per runtime
    done = subprocess.run(first, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and KAFKA_VERSION in done.stdout, done.stderr[-2000:]
    classes = open(listing).read().count("\n")
    assert classes > 300, classes

    monkeypatch.setattr(jvmcache, "MIN_CLASSES", classes + 1)  # not yet a whole start: no archive
    assert not any(a.startswith("-XX:SharedArchiveFile=") for a in jvmcache.shared(second))
    monkeypatch.setattr(jvmcache, "MIN_CLASSES", classes)
    tool = jvmcache.shared(["java", "-cp", f"{runtime}:{tmp_path / 'tools.jar'}", "kafka.Kafka", "--version"])
    [archive] = [a.split("=", 1)[1] for a in tool if a.startswith("-XX:SharedArchiveFile=")]
    assert archive == str(jvmcache.archive(runtime)) and not list((tmp_path / "cds").glob("*.classlist"))
    strict = [tool[0], "-Xshare:on", *tool[1:]]  # refuses to start unless the archive maps
    mapped = subprocess.run(strict, capture_output=True, text=True, timeout=120)
    assert mapped.returncode == 0 and KAFKA_VERSION in mapped.stdout, mapped.stdout[-2000:] + mapped.stderr[-2000:]
    loaded = subprocess.run([tool[0], "-Xshare:on", "-Xlog:class+load=info", *tool[1:]], capture_output=True,
                            text=True, timeout=120).stdout
    assert "kafka.Kafka source: shared objects file" in loaded
