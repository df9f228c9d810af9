#!/usr/bin/env bash
# Consumer throughput: kafka-consumer-perf-test (ConsumerPerformance, kafka-tools 4.3.1) against
# Apache Kafka 4.4.0 (KRaft, one node, perf's reference setup) and against this broker (NIO), on
# the same machine, same topic shape and data. Reports records/s, MB/s and the broker's CPU seconds
# (utime+stime from /proc/PID/stat) per GB served. Stand-alone: bin/perf-compare.sh has no
# consumer load yet.
#
#   mvn -B -o -DskipTests package        # once: broker jar + target/lib, perf/target/lib
#   docs/perf/consumer-bench.sh [records] [record-size] [repetitions]
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${1:-500000}
SIZE=${2:-1024}
REPS=${3:-3}
WORK=${WORK:-/tmp/zcrx-consumer-bench}
rm -rf "$WORK" && mkdir -p "$WORK/kref"
TICK=$(getconf CLK_TCK)

# Apache Kafka 4.4.0 and its dependencies, resolved from Maven Central (the perf harness's pom).
cat > "$WORK/kref/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>io.zcrx.ingest</groupId><artifactId>bench-kafka-reference</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>4.4.0</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.25.5</version></dependency>
  </dependencies>
</project>
EOF
mvn -B -q ${MVN_OFFLINE:--o} -f "$WORK/kref/pom.xml" dependency:copy-dependencies -DoutputDirectory="$WORK/kref/lib"
# The tools (kafka-tools 4.3.1) from the perf module's class path (what bin/kafka-tools.sh uses).
TOOLS_CP="perf/target/lib/*"
ZCRX_CP="broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar:broker-zcrx/target/lib/*"
JVM="-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
printf 'status = warn\nappender.out.type = Console\nappender.out.name = STDOUT\nappender.out.layout.type = PatternLayout\nappender.out.layout.pattern = [%%d] %%p %%m (%%c)%%n\nrootLogger.level = INFO\nrootLogger.appenderRef.out.ref = STDOUT\n' > "$WORK/kref/log4j2.properties"

STARTED=()
cleanup() { for p in "${STARTED[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

wait_line() { # file pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

start_kafka() {
  local d="$WORK/kafka"; mkdir -p "$d/data"
  cat > "$d/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:19093
listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093
advertised.listeners=PLAINTEXT://127.0.0.1:19092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  java -Dlog4j2.configurationFile="$WORK/kref/log4j2.properties" -cp "$WORK/kref/lib/*" kafka.tools.StorageTool \
      format -t "$(java -cp "$WORK/kref/lib/*" org.apache.kafka.common.Uuid 2>/dev/null || echo 'MkU3OEVBNTcwNTJENDM2Qk')" \
      -c "$d/server.properties" > "$d/format.log" 2>&1
  java $JVM -Dlog4j2.configurationFile="$WORK/kref/log4j2.properties" -cp "$WORK/kref/lib/*" kafka.Kafka \
      "$d/server.properties" > "$d/broker.log" 2>&1 &
  echo $! > "$d/pid"; STARTED+=("$(cat "$d/pid")")
  wait_line "$d/broker.log" "Kafka Server started"
  BOOT=127.0.0.1:19092; PID=$(cat "$d/pid")
}

start_zcrx() {
  local d="$WORK/zcrx"; mkdir -p "$d/data"
  java $JVM -Dlog4j2.configurationFile=config/log4j2.xml -Dzcrx.logs.dir="$d" -cp "$ZCRX_CP" io.zcrx.ingest.broker.Main config/server.properties \
      --override listeners=PLAINTEXT://127.0.0.1:29092 --override log.dirs="$d/data" \
      --override num.partitions=3 --override transport=nio --override group.initial.rebalance.delay.ms=0 \
      > "$d/broker.log" 2>&1 &
  echo $! > "$d/pid"; STARTED+=("$(cat "$d/pid")")
  wait_line "$d/broker.log" "started: listening"
  BOOT=127.0.0.1:29092; PID=$(cat "$d/pid")
}

run_target() { # name
  local name=$1
  "start_$name"
  java -Xmx512m -cp "$TOOLS_CP" org.apache.kafka.tools.ProducerPerformance --topic bench \
      --num-records "$RECORDS" --record-size "$SIZE" --throughput -1 \
      --producer-props bootstrap.servers="$BOOT" acks=1 linger.ms=5 batch.size=65536 > "$WORK/$name/produce.log" 2>&1
  tail -1 "$WORK/$name/produce.log"
  for rep in $(seq 1 "$REPS"); do
    local before after out
    before=$(cpu_ticks "$PID")
    out=$(java -Xmx512m -cp "$TOOLS_CP" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOT" \
        --topic bench --messages "$RECORDS" --group "bench-$name-$rep" --timeout 120000 2>>"$WORK/$name/consume.err" | tail -1)
    after=$(cpu_ticks "$PID")
    # start.time, end.time, MB, MB/s, nMsg, nMsg/s, rebalance.ms, fetch.ms, fetch.MB/s, fetch.nMsg/s
    echo "$name rep $rep: $out" | tee -a "$WORK/results.txt"
    awk -v name="$name" -v t="$TICK" -v b="$before" -v a="$after" -F', ' \
        '{ cpu=(a-b)/t; gb=$3*1048576/1e9; printf "%s,%s,%s,%s,%.2f,%.2f\n", name, $6, $4, $10, cpu, cpu/gb }' \
        <<< "$out" >> "$WORK/rows.csv"
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true
}

echo "target,records_per_s,MB_per_s,fetch_records_per_s,broker_cpu_s,broker_cpu_s_per_GB" > "$WORK/rows.csv"
for t in ${TARGETS:-kafka zcrx}; do
  run_target "$t"
done
echo
column -s, -t < "$WORK/rows.csv"
