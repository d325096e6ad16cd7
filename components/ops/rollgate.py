"""`secure-kafka roll-gate`: one side of one rolling step, for `pulumi up` (a local command
before and after each broker is replaced) or an operator restarting brokers by hand.

Credentials come from the environment, as the component hands them to the command (secret
outputs never reach the command line): SECURE_KAFKA_GATE_CA_PEM, SECURE_KAFKA_GATE_CERT_PEM and
SECURE_KAFKA_GATE_KEY_PEM, the rollout identity's certificate (User:kafka-rollout), which may only
describe the cluster, its topics and their configs. A KRaft controller's step asks the quorum
through the brokers with Kafka's own kafka-metadata-quorum.sh (`--kafka-home`).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from ..model.errors import UsageError

ENV = {"ssl.ca.location": "SECURE_KAFKA_GATE_CA_PEM", "ssl.certificate.location": "SECURE_KAFKA_GATE_CERT_PEM",
       "ssl.key.location": "SECURE_KAFKA_GATE_KEY_PEM"}
WHAT = {"ssl.ca.location": "the cluster CA's certificate", "ssl.certificate.location": "the rollout identity's "
        "certificate", "ssl.key.location": "the rollout identity's private key"}


EPILOG = "\n".join([
    "environment (secret outputs never reach the command line; the component sets these for the commands",
    "it runs during `pulumi up`, by hand export them first):",
    *(f"  {name:<27} {WHAT[setting]} (PEM)" for setting, name in ENV.items()),
    "needs confluent-kafka: pip install 'secure-kafka[ops]'; --controller also needs a Kafka installation",
    "",
    "example: secure-kafka roll-gate after --broker 1 --brokers 0,1,2 --bootstrap 10.0.1.10:9094,10.0.2.10:9094"])


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("roll-gate", help="wait until a broker may stop (before) or is back in every ISR (after)",
                       description=__doc__.split("\n\n")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog=EPILOG)
    p.add_argument("step", choices=("before", "after"))
    p.add_argument("--broker", type=int, help="the broker id this step is about")
    p.add_argument("--brokers", help="with --broker: every broker id that must be registered, comma-separated")
    p.add_argument("--controller", type=int, help="or the KRaft controller (node id) this step is about: the "
                   "quorum, asked through the brokers with Kafka's kafka-metadata-quorum.sh")
    p.add_argument("--kafka-home", type=Path, help="with --controller: a Kafka installation (bin/kafka-metadata-quorum.sh)")
    p.add_argument("--bootstrap", required=True, help="host:port of the brokers' TLS listener, comma-separated")
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


def tool_settings(config: Mapping[str, str], workdir: Path) -> Path:
    """The same identity as a `--command-config` file for Kafka's Java tools (a PEM keystore of
    the key and certificate), readable only by this user."""
    from ..render import render_properties
    from ..render.kafka import PemFiles, admin_client_properties

    keystore = workdir / "identity-keystore.pem"
    keystore.write_text(Path(config["ssl.key.location"]).read_text() + Path(config["ssl.certificate.location"]).read_text())
    keystore.chmod(0o600)
    settings = workdir / "identity-admin.properties"
    settings.write_text(render_properties(admin_client_properties(PemFiles(str(keystore), config["ssl.ca.location"]))))
    settings.chmod(0o600)
    return settings


def _checked(args: argparse.Namespace) -> list[int]:
    if (args.broker is None) == (args.controller is None):
        raise UsageError("roll-gate: one of --broker N (with --brokers) or --controller NODE_ID (with --kafka-home)")
    if args.controller is not None:
        if args.kafka_home is None or not (args.kafka_home / "bin" / "kafka-metadata-quorum.sh").is_file():
            raise UsageError(f"--kafka-home {args.kafka_home}: with --controller, a Kafka installation with "
                             "bin/kafka-metadata-quorum.sh")
        return []
    if args.brokers is None:
        raise UsageError(f"--broker {args.broker}: needs --brokers, every broker id, such as 0,1,2")
    brokers = _ids(args.brokers, "--brokers")
    if args.broker not in brokers:
        raise UsageError(f"--broker {args.broker}: not among --brokers {args.brokers}")
    return brokers


def run(args: argparse.Namespace) -> int:
    from .rolling import RollRefused, admin_observer, controller_gate, gate, quorum_tool

    brokers = _checked(args)
    node = args.broker if args.controller is None else args.controller
    with tempfile.TemporaryDirectory(prefix="secure-kafka-gate-") as workdir:
        config = client_config(args.bootstrap, os.environ, Path(workdir))
        try:
            if args.controller is not None:
                quorum = quorum_tool(str(args.kafka_home), args.bootstrap, str(tool_settings(config, Path(workdir))))
                step = controller_gate(args.step, node, quorum, timeout=args.timeout, interval=args.interval)
            else:
                try:
                    observe = admin_observer(config)
                except ModuleNotFoundError as missing:
                    raise UsageError(str(missing)) from None
                step = gate(args.step, node, observe, brokers, timeout=args.timeout, interval=args.interval)
        except RollRefused as refused:
            print(f"secure-kafka roll-gate: refused: {refused}", file=sys.stderr)
            return 1
    waited = step.waited_before if args.step == "before" else step.back_after
    if args.controller is not None:
        state = "may stop" if args.step == "before" else "is a caught-up voter again"
        print(f"secure-kafka roll-gate: controller {node} {state} (after {waited:.0f}s, {step.samples} observation(s))")
        return 0
    print(f"secure-kafka roll-gate: broker {node} {'may stop' if args.step == 'before' else 'is back in sync'} "
          f"(after {waited:.0f}s, {step.samples} observation(s), lowest ISR margin {step.lowest_isr_margin})")
    return 0
