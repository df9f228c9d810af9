#!/usr/bin/env bash
# Stops brokers started with bin/zcrx-broker-start.sh (SIGTERM: clean shutdown; in cluster mode a
# controlled shutdown first, bounded by broker.session.timeout.ms) and waits for them to exit. Like
# Kafka's kafka-server-stop.sh it finds them by main class; --node-id N stops only the broker whose
# properties file (or --override) sets node.id=N, as Kafka's --node-id does.
#   bin/zcrx-broker-stop.sh [--node-id N]
set -euo pipefail
node_id=""
if [[ "${1:-}" == "--node-id" ]]; then
  node_id="${2:?--node-id needs a value}"
elif [[ "${1:-}" == --node-id=* ]]; then
  node_id="${1#--node-id=}"
fi

# node.id of a running broker: the last --override node.id=, else the properties file's, else 1.
node_id_of() {
  local pid="$1" args=() id="" file="" prev="" a
  mapfile -d '' args < "/proc/$pid/cmdline" 2>/dev/null || return 0
  local after_main=0
  for a in "${args[@]}"; do
    if [[ "$after_main" == 1 ]]; then
      if [[ "$prev" == "--override" && "$a" == node.id=* ]]; then
        id="${a#node.id=}"
      elif [[ "$a" != --* && "$prev" != "--override" && -z "$file" ]]; then
        file="$a"
      fi
    fi
    [[ "$a" == "io.zcrx.ingest.broker.Main" ]] && after_main=1
    prev="$a"
  done
  if [[ -z "$id" && -n "$file" ]]; then
    local cwd
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    [[ "$file" != /* && -n "$cwd" ]] && file="$cwd/$file"
    id="$(sed -n 's/^[[:space:]]*node\.id[[:space:]]*[=:][[:space:]]*\([0-9]*\).*/\1/p' "$file" 2>/dev/null | tail -n 1)"
  fi
  echo "${id:-1}"
}

pids="$(pgrep -f 'io\.zcrx\.ingest\.broker\.Main' || true)"
if [[ -n "$node_id" && -n "$pids" ]]; then
  selected=""
  for p in $pids; do
    if [[ "$(node_id_of "$p")" == "$node_id" ]]; then selected="$selected $p"; fi
  done
  pids="${selected# }"
fi
if [[ -z "$pids" ]]; then
  echo "no zcrx broker to stop${node_id:+ with node.id=$node_id}"
  exit 1
fi
kill -TERM $pids
for _ in $(seq 1 120); do
  alive=""
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null; then alive="$alive $p"; fi
  done
  if [[ -z "$alive" ]]; then
    echo "stopped:$(printf ' %s' $pids)"
    exit 0
  fi
  sleep 0.5
done
echo "broker still running after 60 s:$alive" >&2
exit 1
