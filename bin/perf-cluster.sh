#!/usr/bin/env bash
# Two-broker cluster benchmark: one KRaft controller (Apache Kafka 4.4.0, controller-only) and two
# brokers, either two of ours (cluster mode) or two Apache Kafka 4.4.0 brokers, one cluster after the
# other in the same run; Kafka's kafka-producer-perf-test against each (acks=all, idempotent) into a
# topic whose partitions are spread over both brokers. Reports the client's MB/s and records/s, and
# each broker's CPU seconds (utime + stime from /proc/PID/stat, over the perf-test only) per GB
# produced into the cluster.
#
#   bin/perf-cluster.sh [--targets zcrx,kafka] [--records 1000000] [--record-size 1024]
#                       [--partitions 6] [--reps 1] [--dir /tmp/zcrx-perf-cluster]
#
# Builds the reactor first (skip with PERF_SKIP_BUILD=1); Kafka's jars come from kafka-dist (the
# cluster tests' copy of the 4.4.0 distribution). Everything listens on 127.0.0.1 only.
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

targets="zcrx,kafka"
records=1000000
size=1024
partitions=6
reps=1
dir="${TMPDIR:-/tmp}/zcrx-perf-cluster"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "perf-cluster: unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-cluster: building (mvn -B -q -DskipTests package)" >&2
  (cd "$base" && mvn -B -q -DskipTests package)
fi
libs="${KAFKA_DIST_LIBS:-$base/kafka-dist/target/libs}"
if [[ ! -f "$libs/kafka_2.13-4.4.0.jar" ]]; then
  echo "perf-cluster: resolving Apache Kafka 4.4.0 into $libs" >&2
  (cd "$base" && mvn -B -q -f kafka-dist/pom.xml generate-resources)
fi

java_cmd="java"
[[ -n "${JAVA_HOME:-}" ]] && java_cmd="$JAVA_HOME/bin/java"
kafka_java=("$java_cmd" -Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20
            "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" -cp "$libs/*")

# Free loopback ports picked by the kernel (a fixed port may be held by another test or broker).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
controller_port="$(free_port)"
broker_ports=("$(free_port)" "$(free_port)")
pids=()

cleanup() {
  # Newest first: the brokers shut down in a controlled way (SIGTERM) while the controller still runs,
  # then the controller; whatever is still up after 30 s is killed.
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p="${pids[$i]}"
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 1 60); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$p" 2>/dev/null || true
  done
  pids=()
}
trap cleanup EXIT

# cpu_ticks PID: utime + stime of the process (all its threads), in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

wait_port() {
  local port="$1" what="$2"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "perf-cluster: $what did not open port $port" >&2
  exit 1
}

start_controller() {
  local d="$1" id="$2"
  mkdir -p "$d/controller"
  cat > "$d/controller.properties" <<EOF
process.roles=controller
node.id=100
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/controller
EOF
  # The feature levels our broker implements (docs/design.md, "Cluster mode"): Kafka 4.4 brokers
  # join such a cluster too, so both kinds are measured under the same controller settings.
  "${kafka_java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/controller.properties" --standalone \
    --release-version 4.3-IV0 --feature group.version=0 --feature transaction.version=0 \
    --feature share.version=0 --feature streams.version=0 --feature eligible.leader.replicas.version=0 \
    > "$d/controller-format.out" 2>&1
  "${kafka_java[@]}" kafka.Kafka "$d/controller.properties" > "$d/controller.out" 2>&1 &
  pids+=($!)
  disown
  wait_port "$controller_port" controller
}

broker_props() {
  local d="$1" n="$2" port="$3"
  cat <<EOF
process.roles=broker
node.id=$n
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/broker-$n
num.partitions=$partitions
default.replication.factor=1
offsets.topic.replication.factor=1
auto.create.topics.enable=false
EOF
}

# start_brokers TARGET DIR CLUSTER_ID: prints nothing; appends the brokers' pids to broker_pids.
start_brokers() {
  local target="$1" d="$2" id="$3"
  broker_pids=()
  for i in 0 1; do
    local n=$((i + 1)) port="${broker_ports[$i]}"
    broker_props "$d" "$n" "$port" > "$d/broker-$n.properties"
    if [[ "$target" == zcrx ]]; then
      "$base/bin/zcrx-storage.sh" format -t "$id" -c "$d/broker-$n.properties" > "$d/broker-$n-format.out" 2>&1
      mkdir -p "$d/logs-$n"
      ZCRX_LOGS_DIR="$d/logs-$n" ZCRX_HEAP_OPTS="-Xms1g -Xmx1g" \
        "$base/bin/zcrx-broker-start.sh" -daemon "$d/broker-$n.properties" > /dev/null
      broker_pids+=("$(cat "$d/logs-$n/zcrx-broker.pid")")
    else
      "${kafka_java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/broker-$n.properties" \
        --no-initial-controllers > "$d/broker-$n-format.out" 2>&1
      "${kafka_java[@]}" kafka.Kafka "$d/broker-$n.properties" > "$d/broker-$n.out" 2>&1 &
      broker_pids+=($!)
      disown
    fi
    pids+=("${broker_pids[$i]}")
  done
  for i in 0 1; do
    wait_port "${broker_ports[$i]}" "broker $((i + 1))"
  done
}

bootstrap="127.0.0.1:${broker_ports[0]},127.0.0.1:${broker_ports[1]}"
results="$dir/results.tsv"
mkdir -p "$dir"
printf 'target\trep\trecords_per_s\tMB_per_s\tbroker1_cpu_s\tbroker2_cpu_s\tbroker1_cpu_s_per_GB\tbroker2_cpu_s_per_GB\tsum_cpu_s_per_GB\tleaders\n' \
  > "$results"
hz="$(getconf CLK_TCK)"
gb="$(awk -v r="$records" -v s="$size" 'BEGIN { printf "%.6f", r * s / 1e9 }')"

for rep in $(seq 1 "$reps"); do
  for target in ${targets//,/ }; do
    d="$dir/$target-$rep"
    rm -rf "$d"
    mkdir -p "$d"
    id="$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    echo "perf-cluster: $target rep $rep: controller + 2 brokers, cluster id $id, in $d" >&2
    start_controller "$d" "$id"
    start_brokers "$target" "$d" "$id"
    "$base/bin/kafka-tools.sh" topics --bootstrap-server "$bootstrap" --create --topic perf \
      --partitions "$partitions" --replication-factor 1 > "$d/topic-create.out" 2>&1
    sleep 3
    "$base/bin/kafka-tools.sh" topics --bootstrap-server "$bootstrap" --describe --topic perf > "$d/topic.out" 2>&1
    leaders="$(grep -o 'Leader: [0-9-]*' "$d/topic.out" | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $3, $1; sep="," }')"
    c1="$(cpu_ticks "${broker_pids[0]}")"
    c2="$(cpu_ticks "${broker_pids[1]}")"
    "$base/bin/kafka-producer-perf-test.sh" --topic perf --num-records "$records" --record-size "$size" \
      --throughput -1 --producer-props bootstrap.servers="$bootstrap" acks=all enable.idempotence=true \
      > "$d/perf-test.out" 2>&1
    e1="$(cpu_ticks "${broker_pids[0]}")"
    e2="$(cpu_ticks "${broker_pids[1]}")"
    summary="$(grep 'records sent' "$d/perf-test.out" | tail -n 1)"
    rps="$(sed -E 's/.*records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$summary")"
    mbs="$(sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/' <<< "$summary")"
    awk -v t="$target" -v r="$rep" -v rps="$rps" -v mbs="$mbs" -v c1="$((e1 - c1))" -v c2="$((e2 - c2))" \
        -v hz="$hz" -v gb="$gb" -v l="$leaders" 'BEGIN {
      s1 = c1 / hz; s2 = c2 / hz
      printf "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", t, r, rps, mbs, s1, s2, s1 / gb, s2 / gb,
        (s1 + s2) / gb, l }' >> "$results"
    echo "perf-cluster: $target rep $rep: $summary" >&2
    cleanup
  done
done
echo "perf-cluster: $records x $size B, acks=all, idempotent, $partitions partitions over 2 brokers; CPU-s/GB over the perf-test"
column -t -s $'\t' "$results"
