#!/usr/bin/env bash
# Cluster benchmark: one KRaft controller (Apache Kafka 4.4.0, controller-only) and N brokers, either
# N of ours (cluster mode) or N Apache Kafka 4.4.0 brokers, one cluster after the other in the same
# run, each cluster fresh per target and rep; on each cluster, one load after the other:
#   perf-test  Kafka's kafka-producer-perf-test (acks=all, idempotent) into topic "perf", partitions
#              and replicas placed by the controller (leaders spread over the brokers); measured over
#              the whole perf-test process.
#   firehose   our load generator (perf module, io.zcrx.ingest.perf.load.FirehoseMain; acks=all,
#              idempotent) into topic "firehose". It talks to ONE broker and is not leader-aware, so
#              the topic is created with a manual replica assignment (1:2:..:R for every partition)
#              that makes broker 1 the leader of every partition, and the firehose connects to
#              broker 1 only; the followers' fetch work is measured all the same (CPU summed over
#              all brokers). Measured between its measure-start and measure-end lines (after the
#              warm-up; the window includes the drain of the last responses).
# Topics get --replication-factor R and, when given, the topic config min.insync.replicas=M;
# offsets.topic.replication.factor stays 1. Before a load starts, every partition must have a leader
# and its full ISR; after it, before the cluster stops, `kafka-topics --describe` goes into the run
# dir (TOPIC-after.describe) with each replica's log bytes per broker (TOPIC-replica-bytes.out), and
# a warning is printed when any ISR is short of the replica set.
#
# Output: RESULTS (default DIR/results.tsv), one row per target, rep and load: records/s, MB/s
# (10^6 B of record values per second), GB (10^9 B of record values measured), each broker's CPU
# seconds (utime + stime from /proc/PID/stat over the measured span), each broker's CPU-s/GB and the
# sum over the brokers, the leaders (broker:partitions), the ISR check and the load's status; then
# the same as a table. Per run: DIR/TARGET-REP/ (broker configs, perf-test.out, firehose.out,
# describes; our brokers' logs in logs-N/, Kafka's in broker-N.out). The brokers' data dirs are
# deleted after each cluster stops unless --keep-data.
#
#   bin/perf-cluster.sh [--targets zcrx,kafka] [--brokers 2] [--replication-factor 1]
#                       [--min-insync-replicas M] [--load perf-test|firehose|both]
#                       [--records 1000000] [--record-size 1024] [--partitions 6]
#                       [--seconds 20] [--warmup-seconds 5] [--connections 16] [--inflight 8]
#                       [--max-bytes B] [--reps 1] [--dir /tmp/zcrx-perf-cluster] [--keep-data]
#
# --records: perf-test records; --seconds/--warmup-seconds: the firehose's measured window and
# warm-up; --connections/--inflight: firehose connections (one producer each) and requests in flight
# per connection; --max-bytes: the firehose ends its window early after this many record bytes
# (default: 8 GiB, or less so that warm-up + window times R replicas fit in 40 % of DIR's free space).
# Replicated (issue 12): --brokers 3 --replication-factor 3 --min-insync-replicas 2 --load both.
#
# Builds the reactor first (skip with PERF_SKIP_BUILD=1); Kafka's jars come from kafka-dist (the
# cluster tests' copy of the 4.4.0 distribution). Everything listens on 127.0.0.1 only.
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

targets="zcrx,kafka"
brokers=2
rf=1
min_isr=""
load="perf-test"
records=1000000
size=1024
partitions=6
seconds=20
warmup=5
connections=16
inflight=8
max_bytes=""
reps=1
dir="${TMPDIR:-/tmp}/zcrx-perf-cluster"
keep_data=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --brokers) brokers="$2"; shift 2 ;;
    --replication-factor) rf="$2"; shift 2 ;;
    --min-insync-replicas) min_isr="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup-seconds) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --max-bytes) max_bytes="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --keep-data) keep_data=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "perf-cluster: unknown option $1" >&2; exit 2 ;;
  esac
done

die() {
  echo "perf-cluster: $*" >&2
  exit 2
}
is_int() {
  [[ "$1" =~ ^[0-9]+$ ]]
}
for kv in "brokers=$brokers" "replication-factor=$rf" "records=$records" "record-size=$size" \
          "partitions=$partitions" "connections=$connections" "inflight=$inflight" "reps=$reps"; do
  is_int "${kv#*=}" && (( ${kv#*=} >= 1 )) || die "--${kv%%=*} must be a positive integer: ${kv}"
done
(( rf <= brokers )) || die "--replication-factor must not exceed --brokers: replication-factor=$rf, brokers=$brokers"
if [[ -n "$min_isr" ]]; then
  is_int "$min_isr" && (( min_isr >= 1 && min_isr <= rf )) \
    || die "--min-insync-replicas must be 1..replication-factor: min-insync-replicas=$min_isr, replication-factor=$rf"
fi
[[ -z "$max_bytes" ]] || { is_int "$max_bytes" && (( max_bytes >= 1 )); } \
  || die "--max-bytes must be a positive integer: max-bytes=$max_bytes"
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v s="$seconds" 'BEGIN { exit !(s > 0) }' \
  || die "--seconds must be a positive number: seconds=$seconds"
[[ "$warmup" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--warmup-seconds must be a number >= 0: warmup-seconds=$warmup"
case "$load" in
  perf-test) loads=(perf-test) ;;
  firehose) loads=(firehose) ;;
  both) loads=(perf-test firehose) ;;
  *) die "--load must be perf-test, firehose or both: load=$load" ;;
esac
for target in ${targets//,/ }; do
  [[ "$target" == zcrx || "$target" == kafka ]] || die "--targets takes zcrx and kafka: target=$target"
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
perf_cp="$base/perf/target/perf-0.1.0-SNAPSHOT.jar:$base/perf/target/lib/*"
if [[ " ${loads[*]} " == *" firehose "* && ! -f "$base/perf/target/perf-0.1.0-SNAPSHOT.jar" ]]; then
  die "the firehose needs the perf module built: $base/perf/target/perf-0.1.0-SNAPSHOT.jar is missing"
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
broker_ports=()
for ((i = 0; i < brokers; i++)); do
  broker_ports+=("$(free_port)")
done
pids=()
broker_pids=()

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

# sample_cpu: every broker's cpu_ticks, space-separated, in broker order.
sample_cpu() {
  local p out=()
  for p in "${broker_pids[@]}"; do
    out+=("$(cpu_ticks "$p" 2>/dev/null || echo -1)")
  done
  echo "${out[*]}"
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

# start_brokers TARGET DIR CLUSTER_ID: fills broker_pids (broker n = broker_pids[n - 1]).
start_brokers() {
  local target="$1" d="$2" id="$3" i
  broker_pids=()
  for ((i = 0; i < brokers; i++)); do
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
  for ((i = 0; i < brokers; i++)); do
    wait_port "${broker_ports[$i]}" "broker $((i + 1))"
  done
}

topics() {
  "$base/bin/kafka-tools.sh" topics --bootstrap-server "$bootstrap" "$@"
}

# isr_short FILE: the partition lines of a describe whose ISR is smaller than their replica set (or
# that have no leader), as "partition=P leader=L replicas=R isr=I"; nothing when all are complete.
isr_short() {
  awk '/Partition: / {
    p = ""; l = ""; r = ""; s = ""
    for (i = 1; i < NF; i++) {
      if ($i == "Partition:") p = $(i + 1)
      if ($i == "Leader:") l = $(i + 1)
      if ($i == "Replicas:") r = $(i + 1)
      if ($i == "Isr:") s = $(i + 1)
    }
    if (s ~ /:$/) s = ""
    if (l == "none" || l == "-1" || s == "" || split(s, a, ",") < split(r, b, ","))
      printf "partition=%s leader=%s replicas=%s isr=%s\n", p, l, r, s
  }' "$1"
}

# leaders FILE: "broker:partitions,..." from a describe.
leaders_of() {
  grep -o 'Leader: [0-9-]*' "$1" | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $3, $1; sep="," }'
}

# create_topic DIR TOPIC ARGS...: creates the topic, then waits (up to about 2 minutes) until every
# partition has a leader and its full ISR; leaves the describe in DIR/TOPIC-before.describe.
create_topic() {
  local d="$1" t="$2" n
  shift 2
  local cfg=()
  [[ -n "$min_isr" ]] && cfg=(--config "min.insync.replicas=$min_isr")
  topics --create --topic "$t" "$@" "${cfg[@]}" > "$d/$t-create.out" 2>&1 \
    || { cat "$d/$t-create.out" >&2; die "cannot create topic $t (see $d/$t-create.out)"; }
  for _ in $(seq 1 40); do
    topics --describe --topic "$t" > "$d/$t-before.describe" 2>&1 || true
    n="$(grep -c 'Partition: ' "$d/$t-before.describe" || true)"
    if [[ "$n" == "$partitions" && -z "$(isr_short "$d/$t-before.describe")" ]]; then
      return 0
    fi
    sleep 1
  done
  cat "$d/$t-before.describe" >&2
  die "topic $t: not every partition has a leader and its full ISR (see $d/$t-before.describe)"
}

# check_replication DIR TOPIC: the describe after a load, and each replica's bytes of segment files per
# partition and broker (equal on every replica once all acks=all writes are in: the followers append the
# leader's batches as they are); prints "ok", "short:N" (partitions whose ISR is short of the replica
# set), "bytes-differ:N" (partitions whose replicas differ in bytes) or "unknown", and warns on stderr.
check_replication() {
  local d="$1" t="$2" n short differ
  topics --describe --topic "$t" > "$d/$t-after.describe" 2>&1 || true
  for ((n = 1; n <= brokers; n++)); do
    find "$d/broker-$n" -path "*/$t-[0-9]*/*" -name '*.log' -printf "%h %s\n" 2>/dev/null \
      | awk -v b="$n" '{ sub(/.*\//, "", $1); s[$1] += $2 } END { for (p in s) printf "%s broker=%s bytes=%d\n", p, b, s[p] }'
  done | sort -V > "$d/$t-replica-bytes.out"
  differ="$(awk '{ split($3, a, "="); b = a[2]
    if (!($1 in lo) || b < lo[$1]) lo[$1] = b
    if (!($1 in hi) || b > hi[$1]) hi[$1] = b }
    END { for (p in lo) if (lo[p] != hi[p]) printf "%s: %d..%d bytes\n", p, lo[p], hi[p] }' "$d/$t-replica-bytes.out")"
  short="$(isr_short "$d/$t-after.describe")"
  if [[ -n "$short" ]]; then
    echo "perf-cluster: WARNING: $t on $(basename "$d"): ISR short of the replica set after the load:" >&2
    sed 's/^/perf-cluster:   /' <<< "$short" >&2
    echo "short:$(wc -l <<< "$short")"
  elif ! grep -q 'Partition: ' "$d/$t-after.describe"; then
    echo "perf-cluster: WARNING: $t on $(basename "$d"): describe after the load failed" >&2
    echo "unknown"
  elif [[ -n "$differ" ]]; then
    echo "perf-cluster: WARNING: $t on $(basename "$d"): replicas differ in bytes ($d/$t-replica-bytes.out):" >&2
    sed 's/^/perf-cluster:   /' <<< "$differ" >&2
    echo "bytes-differ:$(wc -l <<< "$differ")"
  else
    echo "ok"
  fi
}

# emit TARGET REP LOAD RECORDS_PER_S MB_PER_S GB "START_TICKS" "END_TICKS" LEADERS ISR STATUS
emit() {
  awk -v t="$1" -v r="$2" -v l="$3" -v rps="$4" -v mbs="$5" -v gb="$6" -v c0="$7" -v c1="$8" \
      -v hz="$hz" -v nb="$brokers" -v lead="$9" -v isr="${10}" -v st="${11}" 'BEGIN {
    n = nb; ok = (split(c0, a, " ") == nb && split(c1, b, " ") == nb && gb > 0)
    cpu = ""; per = ""; sum = 0
    for (i = 1; i <= n; i++) {
      if (a[i] < 0 || b[i] < 0) ok = 0
      s = (b[i] - a[i]) / hz; sum += s
      cpu = cpu sprintf("%.2f\t", s)
      per = per (gb > 0 ? sprintf("%.2f\t", s / gb) : "-\t")
    }
    if (!ok) { cpu = ""; per = ""; for (i = 1; i <= n; i++) { cpu = cpu "-\t"; per = per "-\t" } }
    printf "%s\t%s\t%s\t%s\t%s\t%.3f\t%s%s%s\t%s\t%s\t%s\t%s\n", t, r, l, rps, mbs, gb, cpu, per,
      ok ? sprintf("%.2f", sum) : "-", ok ? sprintf("%.2f", sum / gb) : "-", lead, isr, st }' >> "$results"
}

run_perf_test() {
  local target="$1" rep="$2" d="$3" t=perf c0 c1 rc=0 summary rps mbs errors status
  create_topic "$d" "$t" --partitions "$partitions" --replication-factor "$rf"
  local leaders
  leaders="$(leaders_of "$d/$t-before.describe")"
  c0="$(sample_cpu)"
  # A stalled broker must not hang the run: far more than the slowest plausible pace (5 MB/s).
  timeout "$((600 + records * size / 5000000))" "$base/bin/kafka-producer-perf-test.sh" --topic "$t" \
    --num-records "$records" --record-size "$size" --throughput -1 \
    --producer-props bootstrap.servers="$bootstrap" acks=all enable.idempotence=true \
    > "$d/perf-test.out" 2>&1 || rc=$?
  c1="$(sample_cpu)"
  summary="$(grep 'records sent' "$d/perf-test.out" | tail -n 1 || true)"
  errors="$(grep -c -E 'Exception|ERROR|Error' "$d/perf-test.out" || true)"
  if [[ "$rc" != 0 || -z "$summary" ]]; then
    status="failed:rc=$rc"
    rps="-"; mbs="-"
    echo "perf-cluster: WARNING: perf-test on $target rep $rep failed (rc=$rc), see $d/perf-test.out" >&2
  else
    # perf-test's own MB/sec is MiB/s; here MB = 10^6 B, as the firehose's row and perf-compare.
    rps="$(sed -E 's/.*records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$summary")"
    mbs="$(awk -v r="$rps" -v s="$size" 'BEGIN { printf "%.2f", r * s / 1e6 }')"
    status="ok"
    echo "perf-cluster: $target rep $rep perf-test: $summary" >&2
  fi
  if [[ "$errors" != 0 ]]; then
    status="$status,errors:$errors"
    echo "perf-cluster: WARNING: perf-test on $target rep $rep printed $errors error lines:" >&2
    grep -E 'Exception|ERROR|Error' "$d/perf-test.out" | sort | uniq -c | sort -rn | head -n 5 >&2
  fi
  local isr
  isr="$(check_replication "$d" "$t")"
  local gb
  gb="$(awk -v r="$records" -v s="$size" 'BEGIN { printf "%.6f", r * s / 1e9 }')"
  emit "$target" "$rep" perf-test "$rps" "$mbs" "$gb" "$c0" "$c1" "$leaders" "$isr" "$status"
}

run_firehose() {
  local target="$1" rep="$2" d="$3" t=firehose rc=0 result status rps="-" mbs="-" gb=0 c0="" c1=""
  local assignment="" r p
  local replicas="1"
  for ((r = 2; r <= rf; r++)); do
    replicas+=":$r"
  done
  for ((p = 0; p < partitions; p++)); do
    assignment+="${assignment:+,}$replicas"
  done
  # Broker 1 leads every partition: the firehose sends everything to the broker it connects to.
  create_topic "$d" "$t" --replica-assignment "$assignment"
  local leaders
  leaders="$(leaders_of "$d/$t-before.describe")"
  rm -f "$d/firehose-cpu-start" "$d/firehose-cpu-end"
  set +e
  timeout "$(awk -v w="$warmup" -v s="$seconds" 'BEGIN { printf "%d", w + s + 300 }')" \
    "$java_cmd" -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$perf_cp" io.zcrx.ingest.perf.load.FirehoseMain \
    --bootstrap "127.0.0.1:${broker_ports[0]}" --topic "$t" --partitions "$partitions" --record-size "$size" \
    --acks all --idempotent true --connections "$connections" --inflight "$inflight" \
    --warmup-seconds "$warmup" --seconds "$seconds" --max-bytes "$fh_max_bytes" --fresh-topic true 2>&1 \
    | while IFS= read -r line; do
        # Sampled before the line is passed on: the window is the firehose's own.
        case "$line" in
          "firehose: measure-start") sample_cpu > "$d/firehose-cpu-start" ;;
          "firehose: measure-end") sample_cpu > "$d/firehose-cpu-end" ;;
        esac
        printf '%s\n' "$line"
      done > "$d/firehose.out"
  rc="${PIPESTATUS[0]}"
  set -e
  result="$(grep '^firehose: result ' "$d/firehose.out" | tail -n 1 || true)"
  if [[ "$rc" != 0 || -z "$result" || ! -s "$d/firehose-cpu-start" || ! -s "$d/firehose-cpu-end" ]]; then
    status="failed:rc=$rc"
    echo "perf-cluster: WARNING: firehose on $target rep $rep failed (rc=$rc), see $d/firehose.out:" >&2
    grep -E '^firehose: error|Exception' "$d/firehose.out" | head -n 3 >&2 || true
  else
    c0="$(cat "$d/firehose-cpu-start")"
    c1="$(cat "$d/firehose-cpu-end")"
    read -r rps mbs gb < <(sed -E 's/.* records=([0-9]+) payloadBytes=([0-9]+) .* seconds=([0-9.E-]+) .*/\1 \2 \3/' \
      <<< "$result" | awk '{ printf "%.1f %.2f %.6f\n", $1 / $3, $2 / 1e6 / $3, $2 / 1e9 }')
    status="ok"
    echo "perf-cluster: $target rep $rep firehose: $rps records/s, $mbs MB/s" \
      "(to broker 1, which leads all $partitions partitions)" >&2
  fi
  local isr
  isr="$(check_replication "$d" "$t")"
  emit "$target" "$rep" firehose "$rps" "$mbs" "$gb" "$c0" "$c1" "$leaders" "$isr" "$status"
}

bootstrap=""
for ((i = 0; i < brokers; i++)); do
  bootstrap+="${bootstrap:+,}127.0.0.1:${broker_ports[$i]}"
done
mkdir -p "$dir"
results="${RESULTS:-$dir/results.tsv}"
{
  printf 'target\trep\tload\trecords_per_s\tMB_per_s\tGB'
  for ((n = 1; n <= brokers; n++)); do printf '\tbroker%s_cpu_s' "$n"; done
  for ((n = 1; n <= brokers; n++)); do printf '\tbroker%s_cpu_s_per_GB' "$n"; done
  printf '\tsum_cpu_s\tsum_cpu_s_per_GB\tleaders\tisr\tstatus\n'
} > "$results"
hz="$(getconf CLK_TCK)"
# The firehose's window budget: warm-up + window, times R replicas, within 40 % of the free space.
if [[ -z "$max_bytes" ]]; then
  avail="$(df -P -B1 "$dir" | awk 'NR == 2 { print $4 }')"
  fh_max_bytes="$(awk -v a="$avail" -v r="$rf" -v w="$warmup" -v s="$seconds" 'BEGIN {
    m = a * 0.4 / r * s / (w + s); if (m > 8 * 2^30) m = 8 * 2^30; if (m < 1) m = 1; printf "%d", m }')"
else
  fh_max_bytes="$max_bytes"
fi

for rep in $(seq 1 "$reps"); do
  for target in ${targets//,/ }; do
    d="$dir/$target-$rep"
    rm -rf "$d"
    mkdir -p "$d"
    id="$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    echo "perf-cluster: $target rep $rep: controller + $brokers brokers, cluster id $id, in $d" >&2
    start_controller "$d" "$id"
    start_brokers "$target" "$d" "$id"
    for l in "${loads[@]}"; do
      if [[ "$l" == perf-test ]]; then
        run_perf_test "$target" "$rep" "$d"
      else
        run_firehose "$target" "$rep" "$d"
      fi
    done
    cleanup
    if [[ "$keep_data" != 1 ]]; then
      for ((n = 1; n <= brokers; n++)); do
        rm -rf "$d/broker-$n"
      done
      rm -rf "$d/controller"
    fi
  done
done
min_isr_text="${min_isr:-1 (the default)}"
echo "perf-cluster: $brokers brokers, replication factor $rf, min.insync.replicas $min_isr_text," \
  "$partitions partitions, $size B records, acks=all, idempotent; MB = 10^6 B, GB = 10^9 B of record values"
for l in "${loads[@]}"; do
  if [[ "$l" == perf-test ]]; then
    echo "perf-cluster: perf-test: $records records to all brokers (leaders spread by the controller);" \
      "CPU over the whole perf-test"
  else
    echo "perf-cluster: firehose: $connections connections x $inflight in flight to broker 1 only, which leads" \
      "every partition (manual replica assignment); ${warmup} s warm-up + ${seconds} s window, CPU over the window"
  fi
done
column -t -s $'\t' "$results"
