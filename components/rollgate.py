"""`secure-kafka roll-gate`: one side of one rolling step, for `pulumi up` (a local command
before and after each broker is replaced) or an operator restarting brokers by hand.

Credentials come from the environment, as the component hands them to the command (secret
outputs never reach the command line): SECURE_KAFKA_GATE_CA_PEM, SECURE_KAFKA_GATE_CERT_PEM and
SECURE_KAFKA_GATE_KEY_PEM, the rollout identity's certificate (User:kafka-rollout), which may only
describe topics and their configs.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from .gate.project import UsageError

ENV = {"ssl.ca.location": "SECURE_KAFKA_GATE_CA_PEM", "ssl.certificate.location": "SECURE_KAFKA_GATE_CERT_PEM",
       "ssl.key.location": "SECURE_KAFKA_GATE_KEY_PEM"}
WHAT = {"ssl.ca.location": "the cluster CA's certificate", "ssl.certificate.location": "the rollout identity's "
        "certificate", "ssl.key.location": "the rollout identity's private key"}


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("roll-gate", help="wait until a broker may stop (before) or is back in every ISR (after)",
                       description=__doc__.split("\n\n")[0],
                       epilog="example: secure-kafka roll-gate after --broker 1 --brokers 0,1,2 "
                              "--bootstrap 10.0.1.10:9094,10.0.2.10:9094")
    p.add_argument("step", choices=("before", "after"))
    p.add_argument("--broker", type=int, required=True, help="the broker id this step is about")
    p.add_argument("--brokers", required=True, help="every broker id that must be registered, comma-separated")
    p.add_argument("--bootstrap", required=True, help="host:port of the TLS listener, comma-separated")
    p.add_argument("--timeout", type=float, default=1800, help="seconds to wait before refusing (default 1800)")
    p.add_argument("--interval", type=float, default=5, help="seconds between observations (default 5)")


def _ids(text: str, setting: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"{setting} {text!r}: broker ids separated by commas, such as 0,1,2") from None
    if not ids:
        raise UsageError(f"{setting} {text!r}: at least one broker id")
    return ids


def client_config(bootstrap: str, env: Mapping[str, str], workdir: Path, names: Mapping[str, str] = ENV,
                  what: Mapping[str, str] = WHAT) -> dict[str, str]:
    """librdkafka settings with the PEMs from `env` written to files only this user can read."""
    config = {"bootstrap.servers": bootstrap, "security.protocol": "SSL",
              "ssl.endpoint.identification.algorithm": "https", "log_level": "0"}
    for setting, name in names.items():
        text = env.get(name, "")
        if "-----BEGIN" not in text:
            raise UsageError(f"{name} is not set to a PEM value ({what[setting]})")
        path = workdir / name.lower()
        path.write_text(text)
        path.chmod(0o600)
        config[setting] = str(path)
    return config


def run(args: argparse.Namespace) -> int:
    from .rolling import RollRefused, admin_observer, gate

    brokers = _ids(args.brokers, "--brokers")
    if args.broker not in brokers:
        raise UsageError(f"--broker {args.broker}: not among --brokers {args.brokers}")
    with tempfile.TemporaryDirectory(prefix="secure-kafka-gate-") as workdir:
        config = client_config(args.bootstrap, os.environ, Path(workdir))
        try:
            observe = admin_observer(config)
        except ModuleNotFoundError as missing:
            raise UsageError(str(missing)) from None
        try:
            step = gate(args.step, args.broker, observe, brokers, timeout=args.timeout, interval=args.interval)
        except RollRefused as refused:
            print(f"secure-kafka roll-gate: refused: {refused}", file=sys.stderr)
            return 1
    waited = step.waited_before if args.step == "before" else step.back_after
    print(f"secure-kafka roll-gate: broker {args.broker} {'may stop' if args.step == 'before' else 'is back in sync'} "
          f"(after {waited:.0f}s, {step.samples} observation(s), lowest ISR margin {step.lowest_isr_margin})")
    return 0
