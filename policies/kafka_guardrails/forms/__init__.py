"""One module per family of resource forms. Importing this package registers them all; a new
form is a new module here (and its tests) — the pack, checkov, the plan writer and the docs read
the registry."""
from . import (aws_lb, aws_msk, aws_prefix_list, aws_sg, azure, gcp, helm, k8s_operators, k8s_policy,  # noqa: F401
               k8s_routes, k8s_service, k8s_workload, simple_clouds)
