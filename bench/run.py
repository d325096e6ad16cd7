"""Benchmarks for KAFKA-NET-001, printed with their baselines side by side.

1. The engine in-process on 10,000 mixed resources (and a worst case where all are exposed).
2. 2,000 security groups through the kafka-guardrails pack over the Analyzer protocol, beside
   an empty pack that only reads each resource (the protocol's floor).
3. checkov with our check on the same 2,000 groups as a Terraform plan, beside the engine
   in-process on the same groups.
Run: make bench   (or .venv/bin/python bench/run.py [--quick])
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from workload import SG, groups, mixed, worst_case  # noqa: E402

from kafka_guardrails import Resource, Settings, judge_resource, judge_stack  # noqa: E402
from secure_kafka.gate import PolicyPack, StackResource  # noqa: E402


def engine_rate(items: list[tuple[str, dict]], repeats: int = 3) -> tuple[float, float, int]:
    """(cold resources/s, best warm resources/s, resources with findings)."""
    resources = [Resource(t, p, name=f"r{i}") for i, (t, p) in enumerate(items)]
    settings = Settings()
    rates, flagged = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        flagged = sum(1 for r in resources if judge_resource(r, settings))
        rates.append(len(resources) / (time.perf_counter() - start))
    return rates[0], max(rates), flagged


def pack_run(pack_dir: Path, props: list[dict]) -> tuple[float, int]:
    """Spawn + configure + one Analyze per group + one AnalyzeStack, as the CLI drives it."""
    start = time.perf_counter()
    diagnostics = 0
    with PolicyPack(pack_dir, preview=False) as pack:
        pack.configure({})
        stack = []
        for i, p in enumerate(props):
            urn = f"urn:pulumi:bench::secure-kafka::{SG}::g{i}"
            diagnostics += len(pack.analyze(SG, p, urn, f"g{i}"))
            stack.append(StackResource(SG, f"g{i}", urn, p))
        diagnostics += len(pack.analyze_stack(stack))
    return time.perf_counter() - start, diagnostics


def checkov_run(plan: Path) -> float:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    cmd = [str(ROOT / ".venv-checkov" / "bin" / "checkov"), "-f", str(plan), "--framework", "terraform_plan",
           "--external-checks-dir", str(ROOT / "policies" / "checkov"), "--check", "CKV_KAFKA_NET_001",
           "-o", "json", "--compact", "--quiet", "--skip-download"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr[-2000:])
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one round instead of three")
    args = parser.parse_args()
    rounds = 1 if args.quick else 3
    out: dict[str, float] = {}

    cold, warm, flagged = engine_rate(mixed(10_000))
    out["engine_mixed_cold_rps"], out["engine_mixed_warm_rps"] = cold, warm
    w_cold, w_warm, _ = engine_rate(worst_case(10_000))
    out["engine_worst_warm_rps"] = w_warm
    print("1. Engine in-process, 10,000 resources (60% SGs, 20% rules, 10% Services, 10% other)")
    print(f"   mixed: first pass {cold:,.0f} res/s, warm {warm:,.0f} res/s ({flagged} flagged)")
    print(f"   worst case (every resource exposed): warm {w_warm:,.0f} res/s  [aim: >= 100,000 res/s]")

    props = groups(2_000)
    from kafka_guardrails import RULES
    shape = f"{len(RULES.resource_rules())},{len(RULES.stack_rules())}"
    ours, floor, same_shape = [], [], []
    for _ in range(rounds):  # interleaved so machine noise hits all alike
        floor.append(pack_run(ROOT / "bench" / "empty_pack", props)[0])
        os.environ["EMPTY_PACK_SHAPE"] = shape
        try:
            same_shape.append(pack_run(ROOT / "bench" / "empty_pack", props)[0])
        finally:
            del os.environ["EMPTY_PACK_SHAPE"]
        elapsed, diags = pack_run(ROOT / "policies", props)
        ours.append(elapsed)
    t_ours, t_floor, t_shape = (statistics.median(x) for x in (ours, floor, same_shape))
    out.update(pack_seconds=t_ours, empty_pack_seconds=t_floor, pack_ratio=t_ours / t_floor,
               same_shape_floor_seconds=t_shape, pack_ratio_same_shape=t_ours / t_shape)
    print("\n2. 2,000 security groups over the Analyzer protocol (spawn + 2,000 Analyze + AnalyzeStack)")
    print(f"   kafka-guardrails {t_ours:.2f} s ({2000 / t_ours:,.0f} res/s, {diags} diagnostics)")
    print(f"   empty pack, 1 policy reading everything      {t_floor:.2f} s ({2000 / t_floor:,.0f} res/s)")
    print(f"   empty pack, {shape.replace(',', ' resource + ')} stack no-op policies {t_shape:.2f} s")
    print(f"   ratio            {t_ours / t_floor:.2f}x the 1-policy floor  [aim: <= 1.25x]")
    print(f"   ratio            {t_ours / t_shape:.2f}x a floor with as many policies (pulumi-policy's per-policy cost)")

    from checkov_forms import terraform_plan  # noqa: E402
    from cases import Case  # noqa: E402
    cases = [Case(f"g{i}", SG, p, False) for i, p in enumerate(props)]
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_text(json.dumps(terraform_plan(cases)))
        t_checkov = min(checkov_run(plan) for _ in range(1 if args.quick else 2))
    tf = [("aws_security_group", {k: v for k, v in p.items()}) for p in props]
    start = time.perf_counter()
    for i, (t, p) in enumerate(tf):
        judge_resource(Resource(t, p, name=f"g{i}"))
    judge_stack([Resource(SG, p, urn=f"g{i}") for i, p in enumerate(props)])
    t_engine = time.perf_counter() - start
    out.update(checkov_seconds=t_checkov, engine_same_groups_seconds=t_engine,
               engine_vs_checkov=t_checkov / t_engine)
    print("\n3. The same 2,000 groups as a Terraform plan")
    print(f"   checkov + our check  {t_checkov:.2f} s ({2000 / t_checkov:,.0f} res/s)")
    print(f"   engine in-process    {t_engine:.3f} s ({2000 / t_engine:,.0f} res/s, incl. stack check)")
    print(f"   in-process is {t_checkov / t_engine:,.0f}x faster than checkov  [aim: >= 10x]")

    results = ROOT / "bench" / "out"
    results.mkdir(exist_ok=True)
    (results / "exposure.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
