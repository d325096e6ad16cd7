"""A broker pod's readiness: in the ISR of every partition it hosts, not merely listening; a KRaft
controller pod's: a voter of a quorum that has a leader, caught up with it.

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


# admin client settings for a probe: an answer (or "not ready") in seconds, inside the probe's timeout
PROBE_TIMEOUTS = {"request.timeout.ms": 5000, "default.api.timeout.ms": 15000}

CONTROLLER_READY_SCRIPT = r"""#!/bin/bash
# usage: controller-ready.sh NODE_ID BOOTSTRAP_CONTROLLER COMMAND_CONFIG
# Ready when the quorum has a leader, NODE_ID is that leader or a follower at most 100 records
# behind that caught up within 5 s of the leader's clock, and so is a majority of the voters (a
# leader that lost its majority still answers for a while): rolling.controller_ready.
set -uo pipefail
id="$1"; bootstrap="$2"; config="$3"
export KAFKA_HEAP_OPTS="-Xms32m -Xmx96m"
if ! out=$(timeout 45 "${KAFKA_HOME:-/opt/kafka}/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$bootstrap" \
      --command-config "$config" describe --replication 2>&1); then
  echo "not ready: cannot describe the quorum: ${out: -300}" >&2
  exit 1
fi
echo "$out" | awk -v id="$id" -v max_lag=100 -v fresh=5000 '
  $1 == "NodeId" { for (i = 1; i <= NF; i++) col[$i] = i; width = NF; next }
  width && NF == width && $1 ~ /^[0-9]+$/ {
    n++; node[n] = $1; st[n] = $(col["Status"]); lg[n] = $(col["Lag"]); cu[n] = $(col["LastCaughtUpTimestamp"])
    if (st[n] == "Leader") { leader = 1; now = $(col["LastFetchTimestamp"]) }
  }
  END {
    if (!width) { print "not ready: no NodeId table in the tool output"; exit 1 }
    if (!leader) { print "not ready: no quorum leader"; exit 1 }
    for (i = 1; i <= n; i++) {
      if (node[i] == id) { mine = st[i]; lag = lg[i]; caught = cu[i] }
      if (st[i] != "Leader" && st[i] != "Follower") continue
      voters++
      if (st[i] == "Leader" || (lg[i] <= max_lag && now - cu[i] <= fresh)) current++
    }
    if (mine != "Leader" && mine != "Follower") { print "not ready: controller " id " is not a voter that fetches (" (mine == "" ? "absent" : mine) ")"; exit 1 }
    if (mine == "Follower" && lag > max_lag) { print "not ready: controller " id " lags the leader by " lag " records"; exit 1 }
    if (mine == "Follower" && now - caught > fresh) { print "not ready: controller " id " last caught up " (now - caught) " ms ago"; exit 1 }
    if (2 * current <= voters) { print "not ready: only " current + 0 " of " voters " voters are caught up with the leader"; exit 1 }
  }' >&2
"""


def ready_command(node: str, bootstrap: str, command_config: str, script: str) -> list[str]:
    """The exec probe: its arguments may use the pod's shell (e.g. ${HOSTNAME##*-})."""
    return ["/bin/bash", "-c", f"exec /bin/bash {script} {node} {bootstrap} {command_config}"]
