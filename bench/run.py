"""Benchmarks for the exposure engine, printed beside their baselines.

Honest by construction: every list is distinct resources (asserted), every first pass starts with
the engine's memos cleared, and a warm re-run of the same list is printed beside it, never instead
of it, with the memo hit rate of the first pass.

1. The engine in-process: 50,000 distinct mixed resources (groups, rules, load balancers,
   listeners, target groups, Services, workloads, MSK, unjudged), first pass and warm; a worst case
   where every resource is exposed; the stack joins over 10,000 resources.
2. 2,000 distinct security groups through the kafka-guardrails pack over the Analyzer protocol,
   beside two empty packs (the protocol's floor, and as many do-nothing policies as ours).
3. checkov with our checks on 2,000 distinct mixed resources as a Terraform plan, beside the engine
   reading the same plan file in-process.
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
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the rule table's cases and the checkov plan writer

from workload import SG, distinct, groups, mixed, worst_case  # noqa: E402
from cases import Case  # noqa: E402
from checkov_forms import terraform_plan, tf_supported  # noqa: E402

import kafka_guardrails  # noqa: E402
from kafka_guardrails import RULES, Resource, Settings, judge_resource, judge_stack  # noqa: E402
from kafka_guardrails.files import terraform_plan as read_plan  # noqa: E402
from secure_kafka.gate import PolicyPack, StackResource  # noqa: E402


def first_and_warm(items: list[tuple[str, dict]]) -> dict:
    """Resources/s on a cold first pass and on a warm re-run of the same list, and the hit rate."""
    assert distinct(items) == len(items), "the benchmark list must hold distinct resources"
    settings = Settings()
    kafka_guardrails.clear_caches()
    resources = [Resource(t, p, name=f"r{i}") for i, (t, p) in enumerate(items)]
    start = time.perf_counter()
    flagged = sum(1 for r in resources if judge_resource(r, settings))
    first = len(resources) / (time.perf_counter() - start)
    hits, misses = kafka_guardrails.cache_stats()
    resources = [Resource(t, p, name=f"r{i}") for i, (t, p) in enumerate(items)]
    start = time.perf_counter()
    for resource in resources:
        judge_resource(resource, settings)
    warm = len(resources) / (time.perf_counter() - start)
    return {"first": first, "warm": warm, "hit_rate": hits / max(1, hits + misses), "flagged": flagged}


def fallback_cost(items: list[tuple[str, dict]], rounds: int) -> tuple[float, float, int]:
    """First-pass res/s with the coverage rule and the generic detector on, and with them off (the
    rules of universal models left out), interleaved so machine noise hits both alike."""
    from kafka_guardrails.registry import UNIVERSAL

    settings = Settings()
    saved = dict(UNIVERSAL)
    on, off, found = [], [], 0
    try:
        for _ in range(rounds):
            for enabled, sink in ((True, on), (False, off)):
                UNIVERSAL.clear()
                UNIVERSAL.update(saved if enabled else {})  # off: no type reads a universal model
                kafka_guardrails.clear_caches()
                resources = [Resource(t, p, name=f"r{i}") for i, (t, p) in enumerate(items)]
                start = time.perf_counter()
                hits = sum(len(judge_resource(r, settings)) for r in resources)
                sink.append(len(resources) / (time.perf_counter() - start))
                if enabled:
                    found = hits
    finally:
        UNIVERSAL.clear()
        UNIVERSAL.update(saved)
        kafka_guardrails.clear_caches()
    return statistics.median(on), statistics.median(off), found


def stack_rate(items: list[tuple[str, dict]]) -> tuple[float, int]:
    kafka_guardrails.clear_caches()
    resources = [Resource(t, p, name=f"r{i}", urn=f"urn:r{i}") for i, (t, p) in enumerate(items)]
    start = time.perf_counter()
    found = judge_stack(resources)
    return len(resources) / (time.perf_counter() - start), len(found)


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
    parser.add_argument("--quick", action="store_true", help="one round instead of three, smaller lists")
    args = parser.parse_args()
    rounds = 1 if args.quick else 3
    size = 10_000 if args.quick else 50_000
    out: dict[str, float] = {}

    runs = [first_and_warm(mixed(size, seed=11 + r)) for r in range(rounds)]
    worst = [first_and_warm(worst_case(size // 5)) for _ in range(rounds)]
    stack, stack_findings = stack_rate(mixed(10_000, seed=5))
    out.update(engine_first_rps=statistics.median(r["first"] for r in runs),
               engine_warm_rps=statistics.median(r["warm"] for r in runs),
               engine_hit_rate=statistics.median(r["hit_rate"] for r in runs),
               engine_worst_first_rps=statistics.median(r["first"] for r in worst), engine_stack_rps=stack)
    print(f"1. Engine in-process, {size:,} distinct mixed resources per round ({rounds} rounds, fresh lists)")
    for index, r in enumerate(runs):
        print(f"   round {index + 1}: first pass {r['first']:,.0f} res/s (memos cleared, hit rate {r['hit_rate']:.0%}), "
              f"warm re-run of the same list {r['warm']:,.0f} res/s; {r['flagged']:,} flagged")
    print(f"   median first pass {out['engine_first_rps']:,.0f} res/s  [aim: >= 100,000 res/s]")
    print(f"   worst case ({size // 5:,} distinct, every one exposed): first pass "
          f"{out['engine_worst_first_rps']:,.0f} res/s")
    print(f"   stack joins over 10,000 resources: {stack:,.0f} res/s ({stack_findings} findings)")
    on, off, _ = fallback_cost(mixed(size, seed=23), rounds)
    out.update(engine_first_rps_fallback_on=on, engine_first_rps_fallback_off=off)
    print(f"   coverage + generic detector (KAFKA-COV-001, KAFKA-NET-003), first pass, memos cleared: on {on:,.0f} "
          f"res/s, off {off:,.0f} res/s (ratio {on / off:.2f}; aim: >= 0.90)")

    props = groups(2_000)
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
    print("\n2. 2,000 distinct security groups over the Analyzer protocol (spawn + 2,000 Analyze + AnalyzeStack)")
    print(f"   kafka-guardrails {t_ours:.2f} s ({2000 / t_ours:,.0f} res/s, {diags} diagnostics)")
    print(f"   empty pack, 1 policy reading everything      {t_floor:.2f} s ({2000 / t_floor:,.0f} res/s)")
    print(f"   empty pack, {shape.replace(',', ' resource + ')} stack no-op policies {t_shape:.2f} s")
    print(f"   ratio            {t_ours / t_floor:.2f}x the 1-policy floor")
    print(f"   ratio            {t_ours / t_shape:.2f}x a floor with as many policies (pulumi-policy's per-policy cost)")

    cases = [Case(f"r{i}", t, p, False) for i, (t, p) in enumerate(mixed(3_000, seed=23))]
    cases = [c for c in cases if tf_supported(c)][:2_000]
    assert len(cases) == 2_000 and distinct([(c.type, c.props) for c in cases]) == 2_000
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_text(json.dumps(terraform_plan(cases)))
        t_checkov = min(checkov_run(plan) for _ in range(1 if args.quick else 2))
        kafka_guardrails.clear_caches()
        start = time.perf_counter()
        resources = read_plan(json.loads(plan.read_text()), str(plan))
        for resource in resources:
            judge_resource(resource)
        judge_stack(resources)
        t_engine = time.perf_counter() - start
    out.update(checkov_seconds=t_checkov, engine_same_plan_seconds=t_engine, engine_vs_checkov=t_checkov / t_engine)
    print("\n3. The same 2,000 distinct mixed resources as a Terraform plan (groups, rules, load balancers, "
          "Kubernetes, MSK)")
    print(f"   checkov + our checks  {t_checkov:.2f} s ({2000 / t_checkov:,.0f} res/s)")
    print(f"   engine in-process     {t_engine:.3f} s ({2000 / t_engine:,.0f} res/s; reads the plan file, "
          "Terraform dialect, stack joins included, memos cleared)")
    print(f"   in-process is {t_checkov / t_engine:,.0f}x faster than checkov")

    results = ROOT / "bench" / "out"
    results.mkdir(exist_ok=True)
    (results / "exposure.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
