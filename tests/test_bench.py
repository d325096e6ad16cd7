"""The benchmarks are not run by the suite (tests never assert wall-clock times), so nothing else would
notice one that no longer starts: `make bench` once crashed half-way on an import that had moved. Each
bench script is imported here as `python bench/<name>.py` would load it (its own path set-up included),
without running it."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name != "workload.py")


def test_every_bench_script_is_found():
    assert {"run.py", "investigate.py", "kafka_cluster.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_bench_script_loads_with_everything_it_imports(script):
    load = ("import runpy, sys; names = runpy.run_path(sys.argv[1], run_name='bench'); "
            "assert callable(names.get('main')), sorted(names)")
    done = subprocess.run([sys.executable, "-c", load, str(ROOT / "bench" / script)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
