"""secure-kafka: the kafka-guardrails gate for any repository's CI, with no cloud credentials.

  secure-kafka preview --stack dev
      run the Pulumi program in this directory offline (SDK mocks), judge every resource with the
      kafka-guardrails pack over the Analyzer protocol, as `pulumi preview --policy-pack` would
  secure-kafka preview --project-dir infra/kafka --stack prod --format sarif --output kafka.sarif
      another project (its own Pulumi.yaml name, stackConfigDir and config), SARIF for code scanning
  secure-kafka check preview.json state.json tfplan.json template.yaml manifests/
      judge files produced elsewhere: `pulumi preview --json` output, `pulumi stack export` state,
      Terraform plan JSON (`terraform show -json`), CloudFormation templates, Kubernetes manifests
  secure-kafka check manifests/ --format junit --output kafka-guardrails.xml
  secure-kafka scan . --format sarif --output kafka-guardrails.sarif
      find everything in a repository that deploys infrastructure (Pulumi projects and their stacks,
      Terraform, CloudFormation, manifests) by content, and judge it all in one report
  secure-kafka pack-dir [--copy-to DIR]       where the shipped pack is (or a self-contained copy for
                                              `pulumi preview --policy-pack DIR`)
  secure-kafka checkov-dir                    the installed checks, for `checkov --external-checks-dir`
  secure-kafka audit --region eu-west-1       the live-account audit (see secure-kafka-audit --help)
  secure-kafka roll-gate after --broker 1 --brokers 0,1,2 --bootstrap HOST:9094,...
      wait until a restarted broker is back in every ISR (`before`: until it may stop); run by
      `pulumi up` between broker replacements
  secure-kafka migrate --plan migration.yaml [--from PHASE] [--until PHASE] [--check]
      move a running ZooKeeper-mode cluster to KRaft, each phase only when its checks pass

Exit codes: 0 every input judged (or known harmless) and nothing mandatory found; 1 mandatory findings
(with --strict also anything unjudged and what only the generic detector saw); 2 bad input or usage, or
some input was not judged (a form the engine does not read, a file it cannot read).
"""
from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .gate.report import Report

from . import __version__
from .model.errors import ConfigError

FORMATS = ("table", "json", "sarif", "junit")


# The day-2 commands: subcommand -> module of secure_kafka.ops that defines add_parser(sub) and run(args).
# A new ops command is its module and one line here.
OPS_COMMANDS = {"roll-gate": "rollgate", "migrate": "migration_command", "versions": "versions",
               "investigate": "trail.command"}

def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="report format (default: table)")
    p.add_argument("--output", type=Path, default=None, metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--policy-config", type=Path, default=None, metavar="FILE",
                   help="JSON as for `pulumi preview --policy-pack-config` (levels and settings per policy)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.add_argument("--strict", action="store_true",
                   help="unjudged inputs (kafka-coverage) and the generic detector's findings "
                        "(kafka-unrecognised-exposure) are mandatory: exit 1 instead of 2")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="secure-kafka", description=__doc__.split("\n\n")[0],
                                  epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"secure-kafka {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    preview = sub.add_parser("preview", help="judge a Pulumi program offline under mocks, through the pack",
                             description="Run a Pulumi program under the SDK's mocks and judge it with the pack.",
                             epilog="example: secure-kafka preview --project-dir . --stack dev --format sarif "
                                    "--output kafka.sarif")
    preview.add_argument("--stack", default="dev", help="stack name (config in <stackConfigDir>/Pulumi.<stack>.yaml)")
    preview.add_argument("--project-dir", type=Path, default=Path("."), help="the directory of Pulumi.yaml")
    preview.add_argument("--policy-pack", type=Path, default=None, help="default: the pack shipped with secure-kafka")
    preview.add_argument("--stack-outputs", action="append", default=[], metavar="STACK=FILE",
                         help="outputs of a stack the program reads with StackReference, as written by "
                              "`pulumi stack output --json --stack STACK` (repeatable)")
    preview.add_argument("--up", action="store_true", help="judge as `pulumi up` (unknown values are mandatory)")
    preview.add_argument("--terraform-plan", type=Path, default=None, metavar="FILE",
                         help="also write the AWS resources as a Terraform plan for checkov (secrets redacted)")
    preview.add_argument("--kubernetes-manifests", type=Path, default=None, metavar="DIR",
                         help="also write the Kubernetes objects as YAML (secrets redacted)")
    _add_output(preview)
    check = sub.add_parser("check", help="judge files: Pulumi preview JSON or state, Terraform plans, "
                                         "CloudFormation, Kubernetes manifests",
                           description="Judge files produced elsewhere with the engine, no credentials needed.",
                           epilog="example: secure-kafka check plan.json k8s/ --format junit --output guardrails.xml")
    check.add_argument("paths", nargs="+", type=Path, help="files or directories")
    check.add_argument("--preview", action="store_true",
                       help="values not known yet are advisory (as in a preview); by default they are mandatory")
    _add_output(check)
    scan = sub.add_parser("scan", help="find and judge everything in a repository that deploys infrastructure",
                          description="Discover Pulumi projects (every stack), Terraform modules and plans, "
                                      "CloudFormation templates and Kubernetes manifests under ROOT by their content, "
                                      "judge them all and write one report. Helm charts, files that cannot be parsed "
                                      "and projects that cannot run are reported as not judged (exit 2).",
                          epilog="example: secure-kafka scan . --format sarif --output kafka-guardrails.sarif")
    scan.add_argument("root", nargs="?", type=Path, default=Path("."), help="the repository (default: .)")
    scan.add_argument("--targets", type=Path, default=None, metavar="FILE",
                      help="judge what FILE lists instead of discovering: one path per line, relative to ROOT; a "
                           "Pulumi project may be followed by the stacks to judge")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                      help="leave out paths matching GLOB, relative to ROOT (repeatable), e.g. 'tests/*'")
    scan.add_argument("--list", action="store_true", help="print what would be judged and passed over, and exit")
    scan.add_argument("--stack-outputs", action="append", default=[], metavar="STACK=FILE",
                      help="outputs of a stack the programs read with StackReference (repeatable)")
    scan.add_argument("--preview", action="store_true",
                      help="files: values not known yet are advisory (as in a preview)")
    _add_output(scan)
    pack = sub.add_parser("pack-dir", help="print the shipped policy pack's directory",
                          epilog="example: pulumi preview --policy-pack \"$(secure-kafka pack-dir --copy-to .pack)\"")
    pack.add_argument("--copy-to", type=Path, default=None, metavar="DIR",
                      help="write a self-contained copy of the pack (with the engine and a virtualenv of its "
                           "dependencies, as the Pulumi CLI loads it) there and print that")
    pack.add_argument("--no-install", action="store_true",
                      help="with --copy-to: do not create the pack's virtualenv (then run `pulumi install` there)")
    sub.add_parser("checkov-dir", help="print the installed checkov checks' directory",
                   epilog="example: checkov -d infra --external-checks-dir \"$(secure-kafka checkov-dir)\"")
    for module in OPS_COMMANDS.values():  # each ops command adds its own subcommand
        importlib.import_module(f".ops.{module}", __package__).add_parser(sub)
    audit = sub.add_parser("audit", help="audit a live AWS account (secure-kafka-audit)", add_help=False)
    audit.add_argument("rest", nargs=argparse.REMAINDER)
    return top


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        from .model.errors import UsageError
        raise UsageError(f"--output {output} cannot be written: {error.strerror or error}") from None


def _render(report: "Report", fmt: str, base: str = "") -> str:
    from .gate import report as render
    if fmt == "json":
        return render.as_json(report, __version__)
    if fmt == "sarif":
        return render.sarif(report, __version__, base)
    if fmt == "junit":
        return render.junit(report)
    return render.table(report)


PACK_README = """# kafka-guardrails (copied by secure-kafka {version})

A self-contained copy of the kafka-guardrails policy pack: the pack files, the rule engine
(`kafka_guardrails/`), and a virtualenv `venv/` with its dependencies ({requirements}).

    pulumi preview --policy-pack {where}

The Pulumi CLI starts the pack with `venv/bin/python` (PulumiPolicy.yaml: `virtualenv: venv`). If `venv/`
is missing (copied with --no-install, or moved to another machine), run `pulumi install` in this
directory first: without its dependencies the CLI waits at "Loading policy packs" with no error.
"""


def copy_pack(target: Path, install: bool = True) -> Path:
    """A self-contained pack directory (pack files + the engine) with its own virtualenv, for the Pulumi
    CLI. Its version is the package's; its requirements are the pulumi and pulumi-policy versions this
    installation runs, so the copy behaves as the gate that was tested."""
    import re
    import subprocess
    from importlib.metadata import version

    import kafka_guardrails

    from .gate.modes import pack_dir
    from .model.errors import UsageError

    source = pack_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("__main__.py", "pack_adapter.py"):
        shutil.copy2(source / name, target / name)
    meta = (source / "PulumiPolicy.yaml").read_text(encoding="utf-8")
    (target / "PulumiPolicy.yaml").write_text(re.sub(r"(?m)^version:.*$", f"version: {__version__}", meta),
                                              encoding="utf-8")
    requirements = [f"pulumi=={version('pulumi')}", f"pulumi-policy=={version('pulumi-policy')}"]
    (target / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    (target / "README.md").write_text(PACK_README.format(version=__version__, requirements=", ".join(requirements),
                                                         where=target.resolve()), encoding="utf-8")
    engine = Path(kafka_guardrails.__file__).parent
    destination = target / "kafka_guardrails"
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(engine, destination, ignore=shutil.ignore_patterns("__pycache__", "checkov", "pack", "*.pyc"))
    if not install:
        print(f"secure-kafka: the pack's dependencies are not installed: run `pulumi install` in {target} before "
              "`pulumi preview --policy-pack`", file=sys.stderr)
        return target
    venv = target / "venv"
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--no-compile", "-r", str(target / "requirements.txt")]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise UsageError(f"--copy-to {target}: installing the pack's dependencies into {venv} failed ({last}); "
                             f"run `pulumi install` in {target} where the package index is reachable, or copy with "
                             "--no-install")
    return target


def read_stack_outputs(pairs: list[str]) -> dict[str, dict[str, Any]]:
    """`STACK=FILE` pairs: each FILE a JSON object of outputs (`pulumi stack output --json`)."""
    import json

    from .model.errors import UsageError

    found: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        name, sep, file = pair.partition("=")
        if not sep or not name or not file:
            raise UsageError(f"--stack-outputs {pair!r}: expected STACK=FILE, e.g. acme/network/prod=network.json")
        if name in found:
            raise UsageError(f"--stack-outputs {name}: given twice")
        try:
            outputs = json.loads(Path(file).read_text())
        except OSError as error:
            raise UsageError(f"--stack-outputs {name}={file}: cannot read it ({error.strerror})") from None
        except ValueError as error:
            raise UsageError(f"--stack-outputs {name}={file}: not JSON ({error})") from None
        if not isinstance(outputs, dict):
            raise UsageError(f"--stack-outputs {name}={file}: expected a JSON object of outputs, "
                             f"found {type(outputs).__name__}")
        found[name] = outputs
    return found


def run(args: argparse.Namespace) -> int:
    from .gate import modes, policyconfig
    from .gate.project import load_project

    if args.command == "pack-dir":
        print(copy_pack(args.copy_to, install=not args.no_install).resolve() if args.copy_to else modes.pack_dir())
        return 0
    if args.command == "checkov-dir":
        print(modes.shipped("checkov"))
        return 0
    if args.command == "audit":
        from .ops.audit import main as audit_main
        return audit_main(args.rest)
    if args.command in OPS_COMMANDS:
        code: int = importlib.import_module(f".ops.{OPS_COMMANDS[args.command]}", __package__).run(args)
        return code
    config = policyconfig.read(args.policy_config)
    if args.strict:
        config = policyconfig.strict(config)
    if args.command == "scan":
        return _scan(args, config)
    if args.command == "check":
        report = modes.judge_files(args.paths, config=config, preview=args.preview, quiet=args.quiet)
        base = str(Path.cwd())
    else:
        stack_outputs = read_stack_outputs(args.stack_outputs)
        project = load_project(args.project_dir)
        pack = (args.policy_pack or modes.pack_dir()).resolve()
        if not (pack / "PulumiPolicy.yaml").exists():
            from .model.errors import UsageError
            raise UsageError(f"--policy-pack {pack} is not a policy pack (no PulumiPolicy.yaml)")
        report, recorded = modes.judge_program(project, args.stack, pack=pack, config=config, up=args.up,
                                               quiet=args.quiet, stack_outputs=stack_outputs)
        if args.kubernetes_manifests:
            from .gate.k8syaml import write_manifests
            write_manifests(recorded.resources, args.kubernetes_manifests)
        if args.terraform_plan:
            import json

            from .gate.tfplan import terraform_plan
            _write(json.dumps(terraform_plan(recorded.resources), indent=1), args.terraform_plan)
        base = str(project.dir)
        if args.format == "table":
            mode = "up" if args.up else "preview"
            header = f"Stack {args.stack} of {project.name} ({mode}, offline under Pulumi SDK mocks)\n"
            _write(header + _render(report, args.format), args.output)
            _verdict_line(report, args.output)
            return report.exit_code()
    _write(_render(report, args.format, base), args.output)
    _verdict_line(report, args.output)
    return report.exit_code()


def _scan(args: argparse.Namespace, config: dict[str, Any]) -> int:
    from .gate import discover, modes

    root = args.root.resolve()
    found = discover.read_targets(args.targets, root) if args.targets else discover.discover(root, args.exclude)
    if args.list:
        for target in found.targets:
            print(target.describe(root))
        for where, why in found.unjudged:
            print(f"unjudged {where}: {why}")
        for reason, paths in sorted(found.passed_over.items()):
            print(f"passed over ({reason}): {', '.join(paths)}")
        if found.by_suffix:
            counts = ", ".join(f"{suffix} {count}" for suffix, count in sorted(found.by_suffix.items()))
            print(f"passed over (not a file the gate reads, by suffix): {counts}")
        return 0
    if not found.targets and not found.unjudged:
        from .model.errors import UsageError
        raise UsageError(f"{root}: nothing to judge was found (no Pulumi project, Terraform, CloudFormation, "
                         "Kubernetes manifest, plan, preview or state); a gate that judged nothing does not pass")
    read_stack_outputs(args.stack_outputs)  # bad pairs are refused before anything runs
    forward = [*(["--policy-config", str(args.policy_config)] if args.policy_config else []),
               *(["--strict"] if args.strict else []),
               *(word for pair in args.stack_outputs for word in ("--stack-outputs", pair))]
    report = modes.judge_scan(root, found, config=config, forward=forward, preview=args.preview, quiet=args.quiet)
    _write(_render(report, args.format, str(root)), args.output)
    _verdict_line(report, args.output)
    return report.exit_code()


def _verdict_line(report: "Report", output: Optional[Path]) -> None:
    """With --output the report goes to a file; the verdict line still goes to the CI log. The programs'
    own diagnostics go there too, in every format, as `pulumi up` prints them."""
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if output is not None:
        from .gate.report import summary
        print(f"{summary(report)} Report: {output}")


def _config_error(error: BaseException) -> Optional[ConfigError]:
    """The ConfigError behind `error`: in its chain, or one refused when an Output resolved (the SDK
    re-raises those as a ValueError with the same text)."""
    from .model.outputs import REFUSED_WHEN_RESOLVED

    seen: set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ConfigError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return next((refused for refused in REFUSED_WHEN_RESOLVED if str(refused) in str(error)), None)


def main(argv: Optional[list[str]] = None) -> int:
    from .model.errors import UsageError

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["audit"]:  # the audit tool parses its own options
        from .ops.audit import main as audit_main
        return audit_main(argv[1:])
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help()
        return 2
    try:
        try:
            return run(args)
        except Exception as error:  # noqa: BLE001 - a ConfigError raised when another stack's Output
            found = _config_error(error)  # resolved reaches us wrapped by the SDK
            if found is None:
                raise
            raise found from None
    except ConfigError as error:
        where = f"stack {args.stack}" if getattr(args, "stack", None) else "input"
        print(f"secure-kafka: {where}: configuration refused, nothing was registered: {error}", file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"secure-kafka: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a program or file we run may fail in any way: one line
        if os.environ.get("SECURE_KAFKA_DEBUG"):
            raise
        print(f"secure-kafka: {type(error).__name__}: {error} (set SECURE_KAFKA_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
