#!/usr/bin/env bash
# Stops brokers started with bin/zcrx-broker-start.sh (SIGTERM: clean shutdown) and waits for them
# to exit. Like Kafka's kafka-server-stop.sh it finds them by main class.
set -euo pipefail
pids="$(pgrep -f 'io\.zcrx\.ingest\.broker\.Main' || true)"
if [[ -z "$pids" ]]; then
  echo "no zcrx broker to stop"
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
