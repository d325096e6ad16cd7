"""A broker pod's readiness: in the ISR of every partition it hosts, not merely listening.

The StatefulSet controller rolls pods one at a time and waits for each to be Ready, so this probe
is the Kubernetes side of the rolling gate (`rolling.back_in_sync` for this one broker). A TCP
probe passes as soon as the port is bound, long before the broker has caught up. The script uses
only what the Kafka image has (bash, awk, kafka-topics.sh with a small heap)."""
from __future__ import annotations

READY_SCRIPT = r"""#!/bin/bash
# usage: ready.sh BROKER_ID BOOTSTRAP COMMAND_CONFIG
# Ready when broker BROKER_ID is in the ISR of every partition it hosts (under-replicated ones
# are listed by Kafka; any line naming it as a replica but not in the ISR means "not yet").
set -uo pipefail
id="$1"; bootstrap="$2"; config="$3"
export KAFKA_HEAP_OPTS="-Xms32m -Xmx96m"
if ! out=$("${KAFKA_HOME:-/opt/kafka}/bin/kafka-topics.sh" --bootstrap-server "$bootstrap" \
      --command-config "$config" --describe --under-replicated-partitions 2>&1); then
  echo "not ready: cannot describe the partitions: ${out: -300}" >&2
  exit 1
fi
echo "$out" | awk -v id="$id" '
  /Replicas:/ {
    replicas = ""; isr = ""; topic = ""; part = ""
    for (i = 1; i <= NF; i++) {
      if ($i == "Topic:") topic = $(i + 1)
      if ($i == "Partition:") part = $(i + 1)
      if ($i == "Replicas:") replicas = "," $(i + 1) ","
      if ($i == "Isr:") isr = "," $(i + 1) ","
    }
    if (index(replicas, "," id ",") && !index(isr, "," id ",")) { print "not in the ISR of " topic "-" part; out++ }
  }
  END { exit out > 0 }' >&2
"""


def ready_command(broker: str, bootstrap: str, command_config: str, script: str) -> list[str]:
    """The exec probe: `broker` and `bootstrap` may use the pod's shell (e.g. ${HOSTNAME##*-})."""
    return ["/bin/bash", "-c", f"exec /bin/bash {script} {broker} {bootstrap} {command_config}"]
