#!/usr/bin/env bash
# Compaction benchmark (docs/compaction.md, "Benchmark"): our broker (standalone) and Apache Kafka 4.4.0 (one
# combined broker+controller process), one after the other, on the same data, the same settings:
#   0. warm-up clean (--warm-clean-mb, default --mb / 4; 0 skips it): a third compacted topic, compact-w, written
#      and cleaned once before anything is measured, so the measured cleans run on a compiled cleaner. Our
#      broker's produce path never touches kafka-clients' record classes, so its first clean compiles all of
#      them (and the cleaner) while it runs; Kafka's broker compiled them serving its produce requests. The
#      first clean's MB/s is reported too (warm_clean_MB_per_s);
#   1. two compacted topics, compact-a and compact-b (1 partition, cleanup.policy=compact, --segment-bytes),
#      created with min.compaction.lag.ms=1 day so that the cleaner leaves them alone while they fill; each gets
#      --mb MB of record values with keys drawn uniformly from --keys keys (the perf module's KeyedLoadMain: an
#      idempotent acks=all kafka-clients producer, fixed seed: both brokers get the same records);
#   2. firehose, cleaner idle: the perf module's FirehoseMain (acks=all, idempotent, key-less records) into a
#      third, non-compacted topic "firehose" for --warmup-seconds + --seconds; its MB/s over the window;
#   3. clean alone: compact-a's min.compaction.lag.ms set to 0 (kafka-configs --alter); the cleaner (backoff 1 s)
#      cleans it once; from the clean's own log line: bytes of log the clean read, its duration, the cleaned MB/s
#      (bytes read / duration, as Kafka's "MB of log processed ... MB/sec"), bytes kept; the broker's CPU seconds
#      (utime + stime from /proc/PID/stat) from the alter to the line, per GB read;
#   4. firehose, cleaner busy: the firehose again; as it starts, compact-b's lag goes to 0 (its warm-up covers the
#      alter and the cleaner's 1 s backoff), so the cleaner works on compact-b while the firehose runs; the
#      firehose's MB/s over its window, and the clean's MB/s under that load. If the clean ended before the window
#      did, the row says so (clean_covered_window=no): raise --mb.
# MB = 10^6 B, GB = 10^9 B throughout (Kafka's line prints MiB; converted). Kafka's clean duration has 0.1 s
# resolution (its line), ours 1 ms. Both brokers: 1 cleaner thread, log.cleaner.dedupe.buffer.size
# --dedupe-buffer (Kafka's default 128 MiB), no I/O throttle, heap 1 GiB, G1, pre-touched (--pretouch true,
# -XX:+AlwaysPreTouch): our produce path allocates next to nothing, so without it the first cleans fault in
# fresh heap pages (the kernel zeroing each: 15.7 % of our cleaner's samples in one profile, docs/compaction.md)
# that Kafka's broker had
# touched long before while producing; --pretouch false shows that cost.
#
# Output: RESULTS (default DIR/results.tsv) one row per target, then a table; per target DIR/TARGET/ keeps the
# configs, the loads' and firehoses' output and the broker's log (data deleted unless --keep-data).
#
#   bin/perf-compaction.sh [--targets zcrx,kafka] [--mb 1000] [--keys 100000] [--record-size 1024]
#                          [--segment-bytes B] [--dedupe-buffer 134217728] [--seconds 20] [--warmup-seconds 5]
#                          [--partitions 6] [--connections 4] [--inflight 8] [--dir /tmp/zcrx-perf-compaction]
#                          [--warm-clean-mb N] [--pretouch true|false] [--keep-data]
#
# --segment-bytes defaults to --mb / 16 (at least 1 MiB, Kafka's minimum). Smoke run:
#   PERF_SKIP_BUILD=1 bin/perf-compaction.sh --mb 40 --keys 5000 --seconds 3 --warmup-seconds 1
# Builds the reactor first (skip with PERF_SKIP_BUILD=1); Kafka's jars come from kafka-dist (the cluster tests'
# copy of the 4.4.0 distribution). Everything listens on 127.0.0.1 only.
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

targets="zcrx,kafka"
mb=1000
keys=100000
size=1024
segment_bytes=""
dedupe=134217728
seconds=20
warmup=5
partitions=6
connections=4
inflight=8
dir="${TMPDIR:-/tmp}/zcrx-perf-compaction"
keep_data=0
warm_mb=""
pretouch=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --mb) mb="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --segment-bytes) segment_bytes="$2"; shift 2 ;;
    --dedupe-buffer) dedupe="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup-seconds) warmup="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --warm-clean-mb) warm_mb="$2"; shift 2 ;;
    --pretouch) pretouch="$2"; shift 2 ;;
    --keep-data) keep_data=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "perf-compaction: unknown option $1" >&2; exit 2 ;;
  esac
done

die() {
  echo "perf-compaction: $*" >&2
  exit 2
}
for kv in "mb=$mb" "keys=$keys" "record-size=$size" "dedupe-buffer=$dedupe" "partitions=$partitions" \
          "connections=$connections" "inflight=$inflight"; do
  [[ "${kv#*=}" =~ ^[0-9]+$ ]] && (( 10#${kv#*=} >= 1 )) || die "--${kv%%=*} must be a positive integer: ${kv}"
done
# Decimal whatever the leading zeros (bash arithmetic would read 08 as octal).
mb=$((10#$mb)); keys=$((10#$keys)); size=$((10#$size)); dedupe=$((10#$dedupe)); partitions=$((10#$partitions))
connections=$((10#$connections)); inflight=$((10#$inflight))
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v s="$seconds" 'BEGIN { exit !(s > 0) }' \
  || die "--seconds must be a positive number: seconds=$seconds"
[[ "$warmup" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--warmup-seconds must be a number >= 0: warmup-seconds=$warmup"
[[ -n "$warm_mb" ]] || warm_mb=$(( mb / 4 ))
[[ "$warm_mb" =~ ^[0-9]+$ ]] || die "--warm-clean-mb must be an integer >= 0 (0: no warm-up clean): warm-clean-mb=$warm_mb"
warm_mb=$((10#$warm_mb))
[[ "$pretouch" == true || "$pretouch" == false ]] || die "--pretouch takes true or false: pretouch=$pretouch"
heap_opts="-Xms1g -Xmx1g"
[[ "$pretouch" == true ]] && heap_opts="$heap_opts -XX:+AlwaysPreTouch"
if [[ -z "$segment_bytes" ]]; then
  segment_bytes=$(( mb * 1000000 / 16 ))
  (( segment_bytes >= 1048576 )) || segment_bytes=1048576
  (( segment_bytes <= 1073741824 )) || segment_bytes=1073741824
fi
[[ "$segment_bytes" =~ ^[0-9]+$ ]] && (( segment_bytes >= 1048576 )) \
  || die "--segment-bytes must be at least 1048576 (Kafka's minimum): segment-bytes=$segment_bytes"
for target in ${targets//,/ }; do
  [[ "$target" == zcrx || "$target" == kafka ]] || die "--targets takes zcrx and kafka: target=$target"
done

if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-compaction: building (mvn -B -q -DskipTests package)" >&2
  (cd "$base" && mvn -B -q -DskipTests package)
fi
libs="${KAFKA_DIST_LIBS:-$base/kafka-dist/target/libs}"
if [[ ! -f "$libs/kafka_2.13-4.4.0.jar" ]]; then
  echo "perf-compaction: resolving Apache Kafka 4.4.0 into $libs" >&2
  (cd "$base" && mvn -B -q -f kafka-dist/pom.xml generate-resources)
fi
perf_cp="$base/perf/target/perf-0.1.0-SNAPSHOT.jar:$base/perf/target/lib/*"
[[ -f "$base/perf/target/perf-0.1.0-SNAPSHOT.jar" ]] \
  || die "the load generators need the perf module built: $base/perf/target/perf-0.1.0-SNAPSHOT.jar is missing"

java_cmd="java"
[[ -n "${JAVA_HOME:-}" ]] && java_cmd="$JAVA_HOME/bin/java"
tools_java=("$java_cmd" -Xmx256m "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" -cp "$libs/*")
hz="$(getconf CLK_TCK)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
broker_pid=""
cleanup() {
  if [[ -n "$broker_pid" ]]; then
    kill "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$broker_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$broker_pid" 2>/dev/null || true
    broker_pid=""
  fi
}
trap cleanup EXIT

cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

wait_port() {
  local port="$1"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  die "the broker did not open port $port"
}

# The cleaner settings both brokers get (Kafka's names).
cleaner_props() {
  cat <<EOF
log.cleaner.threads=1
log.cleaner.backoff.ms=1000
log.cleaner.dedupe.buffer.size=$dedupe
auto.create.topics.enable=false
offsets.topic.replication.factor=1
EOF
}

# start_broker TARGET DIR PORT: sets broker_pid; the broker's log (where its cleaner writes) is broker_log.
start_broker() {
  local target="$1" d="$2" port="$3"
  if [[ "$target" == zcrx ]]; then
    { echo "listeners=PLAINTEXT://127.0.0.1:$port"; echo "log.dirs=$d/data"; cleaner_props; } > "$d/server.properties"
    mkdir -p "$d/logs"
    ZCRX_LOGS_DIR="$d/logs" ZCRX_HEAP_OPTS="$heap_opts" \
      "$base/bin/zcrx-broker-start.sh" -daemon "$d/server.properties" > /dev/null
    broker_pid="$(cat "$d/logs/zcrx-broker.pid")"
    broker_log="$d/logs/server.log"
  else
    local cport
    cport="$(free_port)"
    cat > "$d/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
    cleaner_props >> "$d/server.properties"
    # Kafka's cleaner line is INFO on its own logger; everything else warnings only.
    cat > "$d/log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d{yyyy-MM-dd HH:mm:ss,SSS}] %-5level %c{1}: %msg%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka.storage.internals.log.LogCleaner" level="INFO"/>
    <Logger name="org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread" level="INFO"/>
    <Logger name="kafka.log.LogCleaner" level="INFO"/>
    <Root level="WARN">
      <AppenderRef ref="stdout"/>
    </Root>
  </Loggers>
</Configuration>
EOF
    local id
    id="$("${tools_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    "${tools_java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/server.properties" --standalone \
      > "$d/format.out" 2>&1
    "$java_cmd" $heap_opts -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "-Dlog4j2.configurationFile=$d/log4j2.xml" \
      -cp "$libs/*" kafka.Kafka "$d/server.properties" > "$d/broker.out" 2>&1 &
    broker_pid=$!
    disown
    broker_log="$d/broker.out"
  fi
  wait_port "$port"
}

topic_create() {
  "${tools_java[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create "$@" \
    > /dev/null
}

set_lag() {
  "${tools_java[@]}" org.apache.kafka.tools.ConfigCommand --bootstrap-server "$bootstrap" --alter \
    --entity-type topics --entity-name "$1" --add-config "min.compaction.lag.ms=$2" > /dev/null
}

# clean_stats TARGET TOPIC: "MB_read secs MB_written" of the topic's first completed clean in broker_log, or
# nothing yet. MB = 10^6 B.
clean_stats() {
  local target="$1" t="$2"
  if [[ "$target" == zcrx ]]; then
    grep -m 1 "Cleaned log $t-0 up to offset" "$broker_log" 2>/dev/null \
      | sed -E 's/.*: ([0-9.]+) MB read, ([0-9.]+) MB written.* ([0-9.]+) s total .*/\1 \3 \2/' || true
  else
    # Kafka: "Log cleaner thread 0 cleaned log T-0 (dirty section = ...)", then "\tX MB of log processed in S
    # seconds (R MB/sec).", ..., "\tEnd size: Y MB (N messages)"; MiB with thousands separators.
    grep -A 12 -m 1 "cleaned log $t-0 (dirty section" "$broker_log" 2>/dev/null | tr -d ',' | awk '
      /MB of log processed in/ { for (i = 1; i <= NF; i++) { if ($i == "MB") r = $(i - 1); if ($i == "seconds") s = $(i - 1) } }
      /End size:/ { for (i = 1; i <= NF; i++) if ($i == "MB") w = $(i - 1) }
      END { if (r != "" && s != "" && w != "") printf "%.3f %s %.3f\n", r * 1.048576, s, w * 1.048576 }' || true
  fi
}

await_clean() {
  local target="$1" t="$2" out
  for _ in $(seq 1 36000); do
    out="$(clean_stats "$target" "$t")"
    if [[ -n "$out" ]]; then
      echo "$out"
      return 0
    fi
    kill -0 "$broker_pid" 2>/dev/null || die "$target broker exited while waiting for the clean of $t"
    sleep 0.1
  done
  die "$target: no clean of $t within an hour"
}

# firehose D NAME FRESH [TOPIC_TO_CLEAN]: runs the firehose into "firehose", prints its MB/s (or -). With
# TOPIC_TO_CLEAN, that topic's lag is lifted as the firehose starts (its warm-up covers the alter and the cleaner's
# backoff), and DIR/NAME.covered says whether the clean was still running when the measured window closed.
firehose() {
  local d="$1" name="$2" fresh="$3" to_clean="${4:-}" rc result
  if [[ -n "$to_clean" ]]; then
    set_lag "$to_clean" 0 &
  fi
  set +e
  timeout "$(awk -v w="$warmup" -v s="$seconds" 'BEGIN { printf "%d", w + s + 300 }')" \
    "$java_cmd" -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$perf_cp" io.zcrx.ingest.perf.load.FirehoseMain \
    --bootstrap "$bootstrap" --topic firehose --partitions "$partitions" --record-size 1024 \
    --acks all --idempotent true --connections "$connections" --inflight "$inflight" \
    --warmup-seconds "$warmup" --seconds "$seconds" --fresh-topic "$fresh" 2>&1 \
    | while IFS= read -r line; do
        case "$line" in
          "firehose: measure-end")
            if [[ -n "$to_clean" ]]; then
              [[ -n "$(clean_stats "$target" "$to_clean")" ]] && echo no > "$d/$name.covered" \
                || echo yes > "$d/$name.covered"
            fi ;;
        esac
        printf '%s\n' "$line"
      done > "$d/$name.out"
  rc="${PIPESTATUS[0]}"
  set -e
  result="$(grep '^firehose: result ' "$d/$name.out" | tail -n 1 || true)"
  if [[ "$rc" != 0 || -z "$result" ]]; then
    echo "perf-compaction: WARNING: $name failed (rc=$rc), see $d/$name.out" >&2
    echo "-"
  else
    sed -E 's/.* payloadBytes=([0-9]+) .* seconds=([0-9.E-]+) .*/\1 \2/' <<< "$result" \
      | awk '{ printf "%.2f\n", $1 / 1e6 / $2 }'
  fi
}

mkdir -p "$dir"
results="${RESULTS:-$dir/results.tsv}"
printf 'target\tMB_per_topic\tkeys\twarm_clean_MB_per_s\tclean_MB_read\tclean_s\tcleaned_MB_per_s\tclean_MB_kept\tbroker_cpu_s\tcpu_s_per_GB_cleaned\tfirehose_idle_MB_per_s\tfirehose_busy_MB_per_s\tbusy_clean_MB_per_s\tclean_covered_window\n' \
  > "$results"

for target in ${targets//,/ }; do
  d="$dir/$target"
  rm -rf "$d"
  mkdir -p "$d"
  port="$(free_port)"
  bootstrap="127.0.0.1:$port"
  echo "perf-compaction: $target: broker on $bootstrap, in $d" >&2
  start_broker "$target" "$d" "$port"
  topics="compact-a compact-b"
  (( warm_mb > 0 )) && topics="compact-w $topics"
  for t in $topics; do
    topic_create --topic "$t" --partitions 1 --replication-factor 1 --config cleanup.policy=compact \
      --config "segment.bytes=$segment_bytes" --config min.compaction.lag.ms=86400000
  done
  topic_create --topic firehose --partitions "$partitions" --replication-factor 1

  warm_rate="-"
  if (( warm_mb > 0 )); then
    echo "perf-compaction: $target: warm-up clean: writing $warm_mb MB to compact-w and cleaning it" >&2
    "$java_cmd" -Xms256m -Xmx512m -cp "$perf_cp" io.zcrx.ingest.perf.load.KeyedLoadMain --bootstrap "$bootstrap" \
      --topics compact-w --bytes "$((warm_mb * 1000000))" --keys "$keys" --record-size "$size" \
      > "$d/keyed-load-warm.out" 2>&1 || { cat "$d/keyed-load-warm.out" >&2; die "$target: the keyed load failed"; }
    set_lag compact-w 0
    read -r w_read_mb w_clean_s _ < <(await_clean "$target" compact-w)
    warm_rate="$(awk -v r="$w_read_mb" -v s="$w_clean_s" 'BEGIN { printf "%.1f", (s > 0 ? r / s : 0) }')"
  fi

  echo "perf-compaction: $target: writing $mb MB with $keys keys to compact-a and compact-b" >&2
  "$java_cmd" -Xms256m -Xmx512m -cp "$perf_cp" io.zcrx.ingest.perf.load.KeyedLoadMain --bootstrap "$bootstrap" \
    --topics compact-a,compact-b --bytes "$((mb * 1000000))" --keys "$keys" --record-size "$size" \
    > "$d/keyed-load.out" 2>&1 || { cat "$d/keyed-load.out" >&2; die "$target: the keyed load failed"; }

  echo "perf-compaction: $target: firehose, cleaner idle" >&2
  idle="$(firehose "$d" firehose-idle true)"

  echo "perf-compaction: $target: cleaning compact-a alone" >&2
  c0="$(cpu_ticks "$broker_pid")"
  set_lag compact-a 0
  read -r read_mb clean_s kept_mb < <(await_clean "$target" compact-a)
  c1="$(cpu_ticks "$broker_pid")"

  echo "perf-compaction: $target: firehose while the cleaner cleans compact-b" >&2
  rm -f "$d/firehose-busy.covered"
  busy="$(firehose "$d" firehose-busy false compact-b)"
  wait
  covered="$(cat "$d/firehose-busy.covered" 2>/dev/null || echo unknown)"
  read -r b_read_mb b_clean_s _ < <(await_clean "$target" compact-b)
  if [[ "$covered" == no ]]; then
    echo "perf-compaction: WARNING: $target: the clean of compact-b ended before the firehose's window did" \
      "(it took $b_clean_s s; window $seconds s): raise --mb for a busy window throughout" >&2
  fi
  cleanup
  awk -v t="$target" -v mb="$mb" -v k="$keys" -v r="$read_mb" -v s="$clean_s" -v w="$kept_mb" -v c0="$c0" \
      -v c1="$c1" -v hz="$hz" -v idle="$idle" -v busy="$busy" -v br="$b_read_mb" -v bs="$b_clean_s" \
      -v cov="$covered" -v warm="$warm_rate" 'BEGIN {
    cpu = (c1 - c0) / hz
    printf "%s\t%s\t%s\t%s\t%.1f\t%.3f\t%.1f\t%.1f\t%.2f\t%.2f\t%s\t%s\t%.1f\t%s\n", t, mb, k, warm, r, s,
      (s > 0 ? r / s : 0), w, cpu, (r > 0 ? cpu / (r / 1000) : 0), idle, busy, (bs > 0 ? br / bs : 0), cov }' \
      >> "$results"
  [[ "$keep_data" == 1 ]] || rm -rf "$d/data"
done
echo "perf-compaction: $mb MB of $size B values per compacted topic, $keys keys, segment.bytes $segment_bytes," \
  "1 cleaner thread, dedupe buffer $dedupe B, heap $heap_opts, warm-up clean of $warm_mb MB; firehose: $connections connections x $inflight in flight," \
  "${warmup} s warm-up + ${seconds} s window; MB = 10^6 B"
column -t -s $'\t' "$results"
