#!/bin/bash
# What a new producer costs our broker's JIT: one broker (transport=uring, 4 partitions, tmpfs log bounded by
# retention as in perftest-profile.sh), a warm-up kafka-producer-perf-test of WARM records, then N measured
# perf-test runs, each a new client (new connection, new producer id). Per window: the broker's CPU ticks
# (utime+stime, /proc/PID/stat), its compiler threads' ticks (/proc/PID/task/*, comm "C1/C2 CompilerThre"), how
# many -XX:+PrintCompilation lines the window added (compilations and "made not entrant"), and the client's MB/s.
# Window 1 pays for the deoptimizations a new client's first requests cause (docs/perf/2026-12-06-steady-state.md,
# section 7); the later windows are the steady state. JOPTS: extra JVM options for the broker.
# Used for docs/perf/2026-12-06-steady-state.md; BUILD_DIR = broker.jar + lib/ (as perftest-profile.sh), WORK =
# scratch directory (the broker's stdout with the compilations is WORK/out). Needs perf/ built.
# usage: newclient-jit.sh BUILD_DIR RECORD_SIZE WARM_RECORDS RECORDS [WINDOWS]
set -u
build=$1; size=$2; warm=$3; records=$4; windows=${5:-3}
wt="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work=${WORK:-/tmp/newclient-jit}; rm -rf "$work"; mkdir -p "$work"
cat > $work/pt-log4j2.xml <<'XML'
<Configuration status="WARN"><Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%-5level %c{1}: %msg%n"/></Console></Appenders><Loggers><Root level="WARN"><AppenderRef ref="out"/></Root></Loggers></Configuration>
XML
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
data=/dev/shm/newclient-jit-$$; rm -rf $data; mkdir -p $data
${JAVA:-java} ${JOPTS:-} -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:AutoBoxCacheMax=65536 \
  -XX:+PrintCompilation -Dlog4j2.configurationFile=$wt/config/log4j2.xml -Dzcrx.logs.dir=$work \
  -cp "$build/broker.jar:$build/lib/*" io.zcrx.ingest.broker.Main $wt/config/server.properties \
  --override listeners=PLAINTEXT://127.0.0.1:$port --override log.dirs=$data --override num.partitions=4 \
  --override transport=uring --override log.segment.bytes=67108864 --override log.retention.bytes=268435456 \
  --override log.retention.check.interval.ms=1000 --override log.segment.delete.delay.ms=0 > $work/out 2>&1 &
bpid=$!
trap 'kill $bpid 2>/dev/null; wait $bpid 2>/dev/null; rm -rf $data' EXIT
for _ in $(seq 1 300); do grep -q started $work/out 2>/dev/null && break; sleep 0.1; done
pt() {
  java -Xmx512M -XX:+UseG1GC -Dlog4j2.configurationFile=$work/pt-log4j2.xml \
    -cp "$wt/perf/target/perf-0.1.0-SNAPSHOT.jar:$wt/perf/target/lib/*" org.apache.kafka.tools.ProducerPerformance \
    --bootstrap-server 127.0.0.1:$port --topic perf --num-records $1 --record-size $size --throughput -1 \
    --command-property acks=all enable.idempotence=true
}
cpu() { awk '{print $14+$15}' /proc/$bpid/stat; }
jitcpu() {
  local s=0 t
  for t in /proc/$bpid/task/*; do
    grep -q Compiler $t/comm 2>/dev/null && s=$((s + $(awk '{print $14+$15}' $t/stat)))
  done
  echo $s
}
pt $warm > $work/warm.out 2>&1 || { echo "warm-up perf-test failed: $work/warm.out" >&2; exit 1; }
echo "ticks per second: $(getconf CLK_TCK)"
for k in $(seq 1 $windows); do
  c0=$(cpu); j0=$(jitcpu); l0=$(wc -l < $work/out)
  pt $records > $work/window$k.out 2>&1 || { echo "perf-test $k failed: $work/window$k.out" >&2; exit 1; }
  c1=$(cpu); j1=$(jitcpu); l1=$(wc -l < $work/out)
  echo "window $k: broker cpu $((c1 - c0)) ticks, compiler threads $((j1 - j0)) ticks," \
    "PrintCompilation lines $((l1 - l0)), $(tail -1 $work/window$k.out | cut -d'(' -f2 | cut -d')' -f1)"
done
