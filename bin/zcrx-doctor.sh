#!/usr/bin/env bash
# Checks whether this machine can run the zcrx transport and prints the ethtool commands still missing:
#   bin/zcrx-doctor.sh [--config config/server.properties] [--interface IF] [--queue N] [--port P]
# Reads only (kernel, capabilities, sysfs, ethtool ioctl/netlink, an io_uring probe); changes nothing and
# does not need ethtool installed. Without arguments it reads config/server.properties when present
# (zcrx.interface, zcrx.rx.queues, listeners), else uses the first NIC, its last rx queue and port 9092.
# Exit status: 0 zcrx ready, 1 not ready (see the report), 2 usage error.
set -euo pipefail

base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$base/broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar"
if [[ ! -f "$jar" || ! -d "$base/broker-zcrx/target/lib" ]]; then
  command -v mvn >/dev/null || { echo "error: Maven (mvn) is needed to build the broker" >&2; exit 2; }
  echo "building the broker (mvn -B -q -DskipTests package)..." >&2
  (cd "$base" && mvn -B -q -DskipTests -pl broker-zcrx -am package)
fi

args=("$@")
if [[ ${#args[@]} -eq 0 && -f "$base/config/server.properties" ]]; then
  args=(--config "$base/config/server.properties")
fi

java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
exec "$java_cmd" -Dlog4j2.configurationFile="$base/config/tools-log4j2.xml" \
  -cp "$jar:$base/broker-zcrx/target/lib/*" io.zcrx.ingest.broker.doctor.Doctor "${args[@]}"
