#!/bin/bash
# One kafka-producer-perf-test run (acks=all, idempotent, 4 partitions, tmpfs log dir) against our broker
# (transport=uring) built into BUILD_DIR (broker.jar + lib/), with the broker's CPU (utime+stime from
# /proc/PID/stat) per GB and per Produce request (the client's request-total), optionally under
# async-profiler (PROFILE_OUT .html, plus PROFILE_OUT.collapsed) or strace -c -f (STRACE_OUT).
# A warm-up perf-test of WARM records (default RECORDS/4) runs first on the same broker.
# The broker's log is bounded by retention (64 MiB segments, 256 MiB per partition, deleted at once; FOOTPRINT=0
# for an unbounded log): on a VM that hands freed memory back to the host, page cache beyond the recently used
# memory costs several times more to fill, and a growing log measures that (docs/perf/2026-12-06-steady-state.md).
# Used for docs/perf/2026-12-06-flame-perftest.md; ASPROF_LIB = libasyncProfiler.so (unpacked from
# Maven Central's tools.profiler:async-profiler jar), WORK = scratch directory. Needs perf/ built.
# usage: perftest-profile.sh BUILD_DIR RECORD_SIZE RECORDS [PROFILE_OUT|-] [STRACE_OUT|-] [override...]
set -u
build=$1; size=$2; records=$3; prof=${4:--}; st=${5:--}; shift 5 || shift $#
wt="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work=${WORK:-/tmp/perftest-profile}; mkdir -p $work
lib=${ASPROF_LIB:-$work/libasyncProfiler.so}
cat > $work/pt-log4j2.xml <<'XML'
<Configuration status="WARN"><Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%-5level %c{1}: %msg%n"/></Console></Appenders><Loggers><Root level="WARN"><AppenderRef ref="out"/></Root></Loggers></Configuration>
XML
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
data=/dev/shm/req-bench-$$; rm -rf $data; mkdir -p $data
logs=$work/logs-$$; mkdir -p $logs
ov=()
[[ ${FOOTPRINT:-1} != 0 ]] && for o in log.segment.bytes=67108864 log.retention.bytes=268435456 \
  log.retention.check.interval.ms=1000 log.segment.delete.delay.ms=0; do ov+=(--override "$o"); done
for o in "$@"; do ov+=(--override "$o"); done
${JAVA:-java} ${JOPTS:-} -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:AutoBoxCacheMax=65536 -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  -Dlog4j2.configurationFile=$wt/config/log4j2.xml -Dzcrx.logs.dir=$logs \
  -cp "$build/broker.jar:$build/lib/*" io.zcrx.ingest.broker.Main $wt/config/server.properties \
  --override listeners=PLAINTEXT://127.0.0.1:$port --override log.dirs=$data --override num.partitions=4 \
  --override transport=uring "${ov[@]}" > $logs/out 2>&1 &
bpid=$!
for i in $(seq 1 300); do grep -q started $logs/out 2>/dev/null && break; kill -0 $bpid 2>/dev/null || { echo broker failed; cat $logs/out; exit 1; }; sleep 0.1; done
pt() { java -Xmx512M -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Dlog4j2.configurationFile=$work/pt-log4j2.xml \
  -cp "$wt/perf/target/perf-0.1.0-SNAPSHOT.jar:$wt/perf/target/lib/*" org.apache.kafka.tools.ProducerPerformance \
  --bootstrap-server 127.0.0.1:$port --topic perf --num-records $1 --record-size $size --throughput -1 \
  --command-property acks=all enable.idempotence=true $2; }
pt ${WARM:-$((records/4))} "" > $logs/warm.out 2>&1
cpu() { awk '{print $14+$15}' /proc/$bpid/stat; }
[[ $prof != - ]] && jcmd $bpid JVMTI.agent_load $lib "\"start,event=cpu,interval=1ms\"" > $work/jcmd.out 2>&1
[[ $st != - ]] && { strace -c -f -p $bpid -o $st & spid=$!; sleep 1; }
jcmd $bpid VM.uptime > $logs/uptime0 2>&1; c0=$(cpu); t0=$(date +%s.%N)
pt $records "--print-metrics" > $logs/meas.out 2>&1
c1=$(cpu); t1=$(date +%s.%N); jcmd $bpid VM.uptime > $logs/uptime1 2>&1
[[ $st != - ]] && { kill -INT $spid; wait $spid 2>/dev/null; }
[[ $prof != - ]] && { jcmd $bpid JVMTI.agent_load $lib "\"dump,collapsed,file=$prof.collapsed\"" >> $work/jcmd.out 2>&1; jcmd $bpid JVMTI.agent_load $lib "\"stop,file=$prof\"" > /dev/null; }
reqs=$(grep -E '^producer-metrics:request-total:' $logs/meas.out | awk '{print $NF}')
rpr=$(grep -E '^producer-metrics:records-per-request-avg:' $logs/meas.out | awk '{print $NF}')
line=$(grep 'records sent' $logs/meas.out | tail -1)
python3 - "$c0" "$c1" "$t0" "$t1" "$records" "$size" "$reqs" <<PY
import sys
c0,c1,t0,t1,rec,size,reqs=sys.argv[1:]
cs=(float(c1)-float(c0))/100; gb=int(rec)*int(size)/1e9; el=float(t1)-float(t0)
reqs=float(reqs) if reqs else 0
print("cpu_s=%.2f wall=%.1f GB=%.3f cpu_s_per_GB=%.3f MBps=%.0f requests=%d us_per_req=%.1f" % (cs, el, gb, cs/gb, gb*1000/el, reqs, cs*1e6/reqs if reqs else 0))
PY
echo "  rec/req=$rpr | ${line}"
kill $bpid; wait $bpid 2>/dev/null; rm -rf $data
[[ $st != - || $prof != - ]] || rm -rf $logs
