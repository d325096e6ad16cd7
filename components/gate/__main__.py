"""python -m secure_kafka.gate --stack dev : the offline preview with the policy gate."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import ConfigError
from .k8syaml import write_manifests
from .mockrun import run_program
from .tfplan import terraform_plan
from .verdict import judge, mandatory_count, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m secure_kafka.gate", description=__doc__)
    parser.add_argument("--stack", default="dev", help="stack name; config in stacks/Pulumi.<stack>.yaml")
    parser.add_argument("--project-dir", default=".", type=Path)
    parser.add_argument("--policy-pack", default=None, type=Path, help="default: <project>/policies")
    parser.add_argument("--policy-config", default=None, type=Path,
                        help="JSON as for `pulumi preview --policy-pack-config`")
    parser.add_argument("--up", action="store_true", help="judge as `pulumi up` (not a preview)")
    parser.add_argument("--terraform-plan", default=None, type=Path, metavar="FILE",
                        help="also write the registered AWS resources as a Terraform plan JSON for checkov")
    parser.add_argument("--kubernetes-manifests", default=None, type=Path, metavar="DIR",
                        help="also write the registered Kubernetes objects as YAML (secrets redacted)")
    args = parser.parse_args(argv)
    project_dir = args.project_dir.resolve()
    config = json.loads(args.policy_config.read_text()) if args.policy_config else {}
    try:
        run = run_program(project_dir, args.stack, preview=not args.up)
    except ConfigError as error:
        print(f"Stack {args.stack}: configuration refused, nothing was registered.\n  {error}", file=sys.stderr)
        return 2
    if args.kubernetes_manifests:
        write_manifests(run.resources, args.kubernetes_manifests)
    if args.terraform_plan:
        args.terraform_plan.write_text(json.dumps(terraform_plan(run.resources), indent=1))
    verdicts, stack_diags = judge(args.policy_pack or project_dir / "policies", run.resources,
                                  project="secure-kafka", stack=args.stack, preview=not args.up,
                                  config=config)
    print(f"Stack {args.stack} ({'preview' if not args.up else 'up'}, offline under Pulumi SDK mocks)")
    print(render(verdicts, stack_diags))
    if run.outputs:
        print("\nOutputs:")
        for key, value in sorted(run.outputs.items()):
            print(f"  {key}: {value}")
    return 1 if mandatory_count(verdicts, stack_diags) else 0


if __name__ == "__main__":
    sys.exit(main())
