"""Move a running, secured ZooKeeper-mode Kafka cluster to KRaft, phase by phase, each phase only
when its preconditions hold (`secure-kafka migrate`: the driver of `migrate.py` as one command).

The cluster is looked at directly (the brokers' TLS listener with the admin API, the controller
quorum with Kafka's own `kafka-metadata-quorum.sh`); what only the platform can do — start the
controllers, restart a node into a phase's config, say whether the metadata was migrated, stop
ZooKeeper — is a command from the plan file. Each command is an argv (a list, or a string split as
a shell would, never run by a shell) in which {node}, {index} and {phase} are replaced; it must
exit 0. Credentials come from the environment only: SECURE_KAFKA_MIGRATE_CA_PEM,
SECURE_KAFKA_MIGRATE_CERT_PEM, SECURE_KAFKA_MIGRATE_KEY_PEM (an identity that may describe the
cluster, its topics and the quorum: the brokers' own, or an operator's super user).
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..model.errors import UsageError
from ..model.userfiles import read_yaml
from ..render.jvm import with_tool_options
from ..render.migration import PHASES

ENV = {"ssl.ca.location": "SECURE_KAFKA_MIGRATE_CA_PEM", "ssl.certificate.location": "SECURE_KAFKA_MIGRATE_CERT_PEM",
       "ssl.key.location": "SECURE_KAFKA_MIGRATE_KEY_PEM"}
WHAT = {"ssl.ca.location": "the cluster CA's certificate", "ssl.certificate.location": "the operator's certificate",
        "ssl.key.location": "the operator's private key"}
# command -> (what it must do, the placeholders it may use)
COMMANDS = {
    "start_controllers": ("start the controllers in migration mode", ()),
    "restart_broker": ("stop broker {node}, install its config of {phase}, start it", ("node", "phase")),
    "restart_controller": ("stop controller {index} (node {node}), install its config of {phase}, start it",
                           ("node", "index", "phase")),
    "migrated": ("exit 0 once the active controller has migrated the metadata from ZooKeeper, else non-zero", ()),
    "stop_zookeeper": ("stop every ZooKeeper server", ()),
    "stop_controllers": ("stop the controllers and remove them (with their metadata) for good", ()),
    "clear_migration": ("set /controller_epoch above the kraftControllerEpoch in /controller where it is not "
                        "(KAFKA-20488), then delete /controller and /migration in ZooKeeper, as the identity that "
                        "owns them", ()),
}
# every phase asks `migrated` in its preconditions
NEEDS = {"controllers": ("start_controllers",), "brokers": ("restart_broker",), "kraft": ("restart_broker",),
         "finalised": ("restart_controller",), "retired": ("stop_zookeeper",),
         "rollback": ("restart_broker", "stop_controllers", "clear_migration")}
EXAMPLE = """\
# secure-kafka migrate --plan migration.yaml
bootstrap: 10.0.1.10:9094,10.0.2.10:9094,10.0.3.10:9094      # the brokers' TLS listener
bootstrap_controller: 10.0.1.20:9093,10.0.2.20:9093,10.0.3.20:9093
brokers: [0, 1, 2]
controllers: [1000, 1001, 1002]
kafka_home: /opt/kafka             # bin/kafka-metadata-quorum.sh
commands:
  start_controllers: ./ops/start-controllers.sh
  restart_broker: ./ops/restart.sh broker {node} {phase}
  restart_controller: ./ops/restart.sh controller {node} {phase}
  migrated: ./ops/grep-controller-logs.sh "Completed migration of metadata from ZooKeeper to KRaft"   # include rolled logs (server.log.*): they roll hourly
  stop_zookeeper: ./ops/stop-zookeeper.sh
  # --rollback (before finalised): brokers back to ZooKeeper mode ({phase} brokers, then zookeeper)
  stop_controllers: ./ops/remove-controllers.sh
  clear_migration: ./ops/clear-migration.sh   # /controller_epoch above /controller's kraftControllerEpoch, then deleteall /controller /migration
"""
KEYS = ("bootstrap", "bootstrap_controller", "brokers", "controllers", "kafka_home", "commands", "timeout", "interval")


@dataclass(frozen=True)
class Plan:
    bootstrap: str
    bootstrap_controller: str
    brokers: tuple[int, ...]
    controllers: tuple[int, ...]
    kafka_home: Path
    commands: Mapping[str, tuple[str, ...]]
    timeout: float = 1800
    interval: float = 5


def _ids(value: Any, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or not all(type(v) is int and v >= 0 for v in value):
        raise UsageError(f"plan {key} {value!r}: a non-empty list of node ids (integers >= 0), such as [0, 1, 2]")
    if len(set(value)) != len(value):
        raise UsageError(f"plan {key} {value!r}: each node id once")
    return tuple(value)


def _addresses(value: Any, key: str) -> str:
    parts = value.split(",") if isinstance(value, str) else []
    if not parts or not all(p.rpartition(":")[0] and p.rpartition(":")[2].isdigit() for p in parts):
        raise UsageError(f"plan {key} {value!r}: host:port pairs separated by commas, such as 10.0.1.10:9094")
    return str(value)


def _command(value: Any, name: str) -> tuple[str, ...]:
    what, allowed = COMMANDS[name]
    try:
        argv = tuple(shlex.split(value)) if isinstance(value, str) else tuple(value)
    except (TypeError, ValueError) as error:
        raise UsageError(f"plan commands.{name} {value!r}: an argv (a list or one string), which must "
                         f"{what} ({error})") from None
    if not argv or not all(isinstance(a, str) for a in argv):
        raise UsageError(f"plan commands.{name} {value!r}: an argv of strings (a list or one string) that must {what}")
    for arg in argv:
        try:
            arg.format(**{k: "x" for k in allowed})
        except (KeyError, IndexError, ValueError):
            places = ", ".join("{" + a + "}" for a in allowed) or "no placeholders"
            raise UsageError(f"plan commands.{name} argument {arg!r}: may use {places}") from None
    return argv


def _seconds(value: Any, key: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise UsageError(f"plan {key} {value!r}: a number of seconds greater than 0")
    return float(value)


def load_plan(data: Any, first: str, last: str, rollback: bool = False) -> Plan:
    """The plan file's settings, each checked, with the commands the phases first..last (or the
    rollback) need."""
    if not isinstance(data, dict):
        raise UsageError(f"plan: a mapping of settings ({', '.join(KEYS)}), found {type(data).__name__}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UsageError(f"plan {unknown[0]}: not a setting (allowed: {', '.join(KEYS)})")
    for key in ("bootstrap", "bootstrap_controller", "brokers", "controllers", "kafka_home", "commands"):
        if key not in data:
            raise UsageError(f"plan {key}: missing (settings: {', '.join(KEYS)})")
    home = data["kafka_home"]
    tools = ("kafka-metadata-quorum.sh",) + (("kafka-configs.sh",) if rollback else ())
    if not isinstance(home, str) or not all((Path(home) / "bin" / tool).is_file() for tool in tools):
        raise UsageError(f"plan kafka_home {home!r}: a Kafka installation with "
                         f"{' and '.join('bin/' + tool for tool in tools)}")
    commands = data["commands"]
    if not isinstance(commands, dict):
        raise UsageError(f"plan commands {commands!r}: a mapping of {', '.join(COMMANDS)}")
    extra = sorted(set(commands) - set(COMMANDS))
    if extra:
        raise UsageError(f"plan commands.{extra[0]}: not a command (allowed: {', '.join(COMMANDS)})")
    phases = ("rollback",) if rollback else PHASES[PHASES.index(first): PHASES.index(last) + 1]
    needed = ([] if rollback else ["migrated"]) + [name for phase in phases for name in NEEDS[phase]]
    for name in dict.fromkeys(needed):
        if name not in commands:
            needs = "a rollback needs" if rollback else f"phases {first} to {last} need"
            raise UsageError(f"plan commands.{name}: missing; {needs} it to {COMMANDS[name][0]}")
    return Plan(bootstrap=_addresses(data["bootstrap"], "bootstrap"),
                bootstrap_controller=_addresses(data["bootstrap_controller"], "bootstrap_controller"),
                brokers=_ids(data["brokers"], "brokers"), controllers=_ids(data["controllers"], "controllers"),
                kafka_home=Path(home), commands={n: _command(v, n) for n, v in commands.items()},
                timeout=_seconds(data.get("timeout"), "timeout", 1800),
                interval=_seconds(data.get("interval"), "interval", 5))


class CommandFailed(RuntimeError):
    """A platform command did not exit 0: the migration stops where it is."""


def run_command(plan: Plan, name: str, check: bool = True, **places: Any) -> bool:
    argv = [arg.format(**places) for arg in plan.commands[name]]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=plan.timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CommandFailed(f"commands.{name} {shlex.join(argv)}: {error}") from None
    if check and done.returncode != 0:
        raise CommandFailed(f"commands.{name} {shlex.join(argv)} exited {done.returncode}: "
                            f"{(done.stderr or done.stdout).strip()[-600:]}")
    return done.returncode == 0


def finalised_reader(plan: Plan, settings: Path) -> Callable[[], list[int]]:
    """The controllers whose running config has the migration off (Kafka's kafka-configs.sh, asked
    of each controller over its CONTROLLER listener)."""
    tool = plan.kafka_home / "bin" / "kafka-configs.sh"

    def finalised() -> list[int]:
        found = []
        for node in plan.controllers:
            done = subprocess.run([str(tool), "--bootstrap-controller", plan.bootstrap_controller, "--command-config",
                                   str(settings), "--describe", "--all", "--entity-type", "brokers", "--entity-name",
                                   str(node)], capture_output=True, text=True, timeout=120,
                                  env=with_tool_options(dict(os.environ)))
            if done.returncode != 0:
                raise RuntimeError(f"kafka-configs.sh for controller {node} exited {done.returncode}: "
                                   f"{(done.stderr or done.stdout).strip()[-300:]}")
            if "zookeeper.metadata.migration.enable=true" not in done.stdout:
                found.append(node)
        return found
    return finalised


def ops_for(plan: Plan, workdir: Path, env: Mapping[str, str], say: Callable[[str], None]) -> Any:
    """MigrationOps whose hands are the plan's commands and whose eyes are the cluster's APIs."""
    from .migrate import MigrationOps
    from .rollgate import client_config, tool_settings
    from .rolling import admin_observer, quorum_tool

    config = client_config(plan.bootstrap, env, workdir, names=ENV, what=WHAT)
    settings = tool_settings(config, workdir)
    try:
        observe = admin_observer(config)
    except ModuleNotFoundError as missing:
        raise UsageError(str(missing)) from None
    controllers = {i: node for i, node in enumerate(plan.controllers)}

    def restart_broker(node: int, phase: str) -> None:
        say(f"  broker {node} -> {phase}")
        run_command(plan, "restart_broker", node=node, phase=phase)

    def restart_controller(index: int, phase: str) -> None:
        say(f"  controller {controllers[index]} -> {phase}")
        run_command(plan, "restart_controller", node=controllers[index], index=index, phase=phase)

    def platform(name: str) -> Callable[[], None]:
        def step() -> None:
            say(f"  {name}")
            run_command(plan, name)
        return step

    return MigrationOps(
        brokers=list(plan.brokers), controllers=list(controllers), restart_broker=restart_broker,
        restart_controller=restart_controller, observe=observe,
        quorum=quorum_tool(str(plan.kafka_home), plan.bootstrap_controller, str(settings), via="controller"),
        migrated=lambda: run_command(plan, "migrated", check=False),
        stop_zookeeper=platform("stop_zookeeper"),
        start_controllers=platform("start_controllers") if "start_controllers" in plan.commands else None,
        stop_controllers=platform("stop_controllers") if "stop_controllers" in plan.commands else None,
        clear_migration=platform("clear_migration") if "clear_migration" in plan.commands else None,
        finalised=finalised_reader(plan, settings),
        timeout=plan.timeout, interval=plan.interval)


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("migrate", help="move a running ZooKeeper-mode cluster to KRaft, phase by phase, each "
                                       "only when its preconditions hold",
                       description=__doc__.split("\n\n")[0], epilog="a plan file:\n\n" + EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plan", type=Path, required=True, help="the plan file (YAML), see below")
    p.add_argument("--from", dest="first", choices=PHASES, default=PHASES[0],
                   help=f"first phase to run (default {PHASES[0]}; resume from where a stopped run was)")
    p.add_argument("--until", dest="last", choices=PHASES, default=PHASES[-1],
                   help=f"last phase to run (default {PHASES[-1]}; stop earlier to soak before the point of "
                        "no return, finalised)")
    p.add_argument("--check", action="store_true", help="only say whether the first phase may start now")
    p.add_argument("--rollback", action="store_true",
                   help="go back to ZooKeeper mode (possible until the controllers are finalised)")


def run(args: argparse.Namespace, env: Optional[Mapping[str, str]] = None) -> int:
    from .migrate import MigrationRefused, migrate, preconditions, rollback, rollback_preconditions
    from .rolling import RollRefused

    if PHASES.index(args.first) > PHASES.index(args.last):
        raise UsageError(f"--from {args.first} --until {args.last}: phases run in order {' -> '.join(PHASES)}")
    if args.rollback and (args.first, args.last) != (PHASES[0], PHASES[-1]):
        raise UsageError("--rollback: goes back from wherever the migration is; --from and --until do not apply")
    plan = load_plan(read_yaml(args.plan, "--plan"), args.first, args.last, rollback=args.rollback)

    def say(line: str) -> None:
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="secure-kafka-migrate-") as workdir:
        ops = ops_for(plan, Path(workdir), os.environ if env is None else env, say)
        try:
            if args.check:
                what = "the rollback" if args.rollback else f"phase {args.first}"
                reasons = rollback_preconditions(ops) if args.rollback else preconditions(args.first, ops)
                for reason in reasons:
                    print(f"secure-kafka migrate: {what} may not start: {reason}", file=sys.stderr)
                if not reasons:
                    say(f"secure-kafka migrate: {what} may start")
                return 1 if reasons else 0
            if args.rollback:
                report = rollback(ops, on_step=lambda step: say(f"rollback {step}"))
            else:
                report = migrate(ops, start=args.first, until=args.last, on_phase=lambda p: say(f"phase {p}"))
        except (MigrationRefused, RollRefused, CommandFailed, ValueError) as stopped:
            print(f"secure-kafka migrate: stopped: {stopped}", file=sys.stderr)
            return 1
    for phase in report.phases:
        say(f"secure-kafka migrate: {'rollback ' if args.rollback else ''}{phase} done in "
            f"{report.seconds[phase]:.0f}s")
    return 0

