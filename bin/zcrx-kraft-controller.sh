#!/usr/bin/env bash
# Runs an Apache Kafka 4.4.0 KRaft controller-only node (a quorum of one) for zcrx brokers in cluster
# mode, for machines without a Kafka install. It is Kafka's own controller, unchanged: the jars of
# org.apache.kafka:kafka_2.13:4.4.0 (and its dependencies) are resolved from Maven Central with mvn
# into a cache directory once; the data directory is formatted with Kafka's storage tool the first
# time (a new cluster id, feature levels zcrx brokers support); then `kafka.Kafka
# controller.properties` runs in the foreground (Ctrl-C stops it) or, with -daemon, in the background.
#
#   bin/zcrx-kraft-controller.sh [-daemon] [options]
#   bin/zcrx-kraft-controller.sh --stop [--data-dir DIR]
#
# Options (defaults in brackets):
#   --node-id N          the controller's node.id [3000: out of the way of broker ids]
#   --host HOST          address of the CONTROLLER listener [127.0.0.1]
#   --port PORT          its port [9093]; brokers set controller.quorum.bootstrap.servers=HOST:PORT
#   --data-dir DIR       controller.properties, the metadata log, the output [<repo>/data/kraft-controller]
#   -t, --cluster-id ID  cluster id for a first format (as kafka-storage format -t) [a new random one]
#   --kafka-defaults     format with Kafka 4.4.0's default feature levels instead (metadata.version
#                        4.4-IV2, KIP-848 groups, ...): only Apache Kafka 4.4 brokers can join that
#   --override KEY=VAL   one more controller setting (repeatable), e.g. broker.session.timeout.ms=9000
#   --stop               stop the controller that -daemon started for this data dir (SIGTERM)
# Environment: ZCRX_KAFKA_LIBS (the jar cache) [${XDG_CACHE_HOME:-~/.cache}/zcrx-ingest/kafka-4.4.0/libs],
# KAFKA_HEAP_OPTS [-Xms512m -Xmx512m], KAFKA_OPTS (more JVM options), JAVA_HOME (else java on PATH).
#
# The cluster id and the listener address are fixed when the data dir is formatted (the controller
# records itself as the quorum's voter with that endpoint): to change them, stop it and delete the
# data dir (a new cluster: brokers must then be formatted again with the new id).
set -euo pipefail

readonly KAFKA_VERSION=4.4.0
# What a broker on Kafka's 4.3.1 libraries (ours) supports; docs: README "Running a cluster".
readonly COMPATIBLE_FEATURES=(--release-version 4.3-IV0 --feature group.version=0 --feature transaction.version=0
  --feature share.version=0 --feature streams.version=0 --feature eligible.leader.replicas.version=0)

base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
daemon=0
stop=0
node_id=3000
host=127.0.0.1
port=9093
data_dir="$base/data/kraft-controller"
cluster_id=""
kafka_defaults=0
overrides=()

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}
die() {
  echo "zcrx-kraft-controller: $*" >&2
  exit 2
}
need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -daemon|--daemon) daemon=1; shift ;;
    --stop) stop=1; shift ;;
    --node-id) need_value "$@"; node_id="$2"; shift 2 ;;
    --host) need_value "$@"; host="$2"; shift 2 ;;
    --port) need_value "$@"; port="$2"; shift 2 ;;
    --data-dir) need_value "$@"; data_dir="$2"; shift 2 ;;
    -t|--cluster-id) need_value "$@"; cluster_id="$2"; shift 2 ;;
    --kafka-defaults) kafka_defaults=1; shift ;;
    --override) need_value "$@"; [[ "$2" == *=* ]] || die "--override needs KEY=VALUE, got: $2"
      overrides+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

[[ "$node_id" =~ ^[0-9]+$ ]] || die "--node-id must be a non-negative integer, got: $node_id"
[[ "$port" =~ ^[0-9]+$ ]] && (( port >= 1 && port <= 65535 )) || die "--port must be 1-65535, got: $port"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
pid_file="$data_dir/controller.pid"
out_file="$data_dir/controller.out"

if [[ "$stop" == 1 ]]; then
  [[ -f "$pid_file" ]] || { echo "no controller pid file in $data_dir"; exit 1; }
  pid="$(cat "$pid_file")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "controller $pid is not running"; rm -f "$pid_file"; exit 1
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"; echo "stopped controller $pid"; exit 0
    fi
    sleep 0.5
  done
  echo "controller $pid still running after 60 s" >&2
  exit 1
fi

java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
command -v "$java_cmd" >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17 or later)"

# 1. Kafka's jars, once. Maven resolves kafka_2.13 and its runtime dependencies (the same list as
#    the kafka-dist module the tests use), offline first: they may already be in ~/.m2.
libs="${ZCRX_KAFKA_LIBS:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrx-ingest/kafka-$KAFKA_VERSION/libs}"
if [[ ! -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
  command -v mvn >/dev/null || die "Maven (mvn) is needed once, to fetch Apache Kafka $KAFKA_VERSION into $libs"
  echo "resolving Apache Kafka $KAFKA_VERSION (org.apache.kafka:kafka_2.13) from Maven Central into $libs ..." >&2
  mkdir -p "$libs"
  resolve=(mvn -B -q -f "$base/kafka-dist/pom.xml" dependency:copy-dependencies -DincludeScope=runtime
    "-DoutputDirectory=$libs")
  if ! "${resolve[@]}" -o >/dev/null 2>&1; then
    "${resolve[@]}" >&2 || die "could not resolve Apache Kafka $KAFKA_VERSION with Maven (see above)"
  fi
fi
cp_libs="$libs/*"

# 2. controller.properties (written on every start from the options; the format below pins the
#    listener into the quorum's voter record, so keep --host/--port as they were).
props="$data_dir/controller.properties"
{
  echo "# Written by bin/zcrx-kraft-controller.sh; changes here are overwritten at the next start."
  echo "process.roles=controller"
  echo "node.id=$node_id"
  echo "controller.listener.names=CONTROLLER"
  echo "listeners=CONTROLLER://$host:$port"
  echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT"
  echo "controller.quorum.bootstrap.servers=$host:$port"
  echo "log.dirs=$data_dir/metadata"
  for o in "${overrides[@]}"; do
    echo "$o"
  done
} > "$props"
log4j="$data_dir/log4j2.properties"
cat > "$log4j" <<'EOF'
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
EOF
tools_log4j="$data_dir/tools-log4j2.properties"
sed -e 's/^rootLogger.level=INFO/rootLogger.level=WARN/' -e 's/^appender.stdout.type=Console/&\nappender.stdout.target=SYSTEM_ERR/' \
  "$log4j" > "$tools_log4j"
tool=("$java_cmd" -Xmx256m "-Dlog4j2.configurationFile=$tools_log4j" -cp "$cp_libs" kafka.tools.StorageTool)

# 3. Format once (kafka-storage format --standalone: a quorum of this one controller).
meta="$data_dir/metadata/meta.properties"
if [[ -f "$meta" ]]; then
  formatted_id="$(sed -n 's/^cluster\.id=//p' "$meta")"
  if [[ -n "$cluster_id" && "$cluster_id" != "$formatted_id" ]]; then
    die "$data_dir is formatted for cluster $formatted_id, not $cluster_id (delete it for a new cluster)"
  fi
  cluster_id="$formatted_id"
else
  if [[ -z "$cluster_id" ]]; then
    cluster_id="$("${tool[@]}" random-uuid 2>/dev/null | tail -n 1)"
  fi
  if [[ "$kafka_defaults" == 1 ]]; then
    features=()
  else
    features=("${COMPATIBLE_FEATURES[@]}")
  fi
  echo "formatting $data_dir/metadata: cluster.id=$cluster_id ${features[*]:-(Kafka $KAFKA_VERSION defaults)}" >&2
  "${tool[@]}" format -t "$cluster_id" -c "$props" --standalone "${features[@]}" >&2 \
    || die "kafka-storage format failed (see above)"
fi

echo "controller node.id=$node_id cluster.id=$cluster_id" >&2
echo "brokers: controller.quorum.bootstrap.servers=$host:$port, log dirs formatted with -t $cluster_id --no-initial-controllers" >&2
cmd=("$java_cmd" ${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m} -XX:+UseG1GC ${KAFKA_OPTS:-} -Djava.awt.headless=true
     "-Dlog4j2.configurationFile=$log4j" -cp "$cp_libs" kafka.Kafka "$props")

if [[ "$daemon" == 0 ]]; then
  exec "${cmd[@]}"
fi
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  die "a controller is already running for $data_dir (pid $(cat "$pid_file")); --stop stops it"
fi
nohup "${cmd[@]}" > "$out_file" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$pid_file"
for _ in $(seq 1 120); do
  if grep -q "Kafka Server started" "$out_file" 2>/dev/null; then
    echo "controller started in the background, pid $pid; output: $out_file"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    tail -n 30 "$out_file" >&2
    die "the controller exited during start-up (output above: $out_file)"
  fi
  sleep 0.5
done
echo "controller (pid $pid) has not logged 'Kafka Server started' after 60 s; output: $out_file" >&2
exit 1
