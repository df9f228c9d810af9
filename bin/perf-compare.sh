#!/usr/bin/env bash
# Side-by-side ingest comparison: our broker (every transport that starts) vs Apache Kafka 4.4.0
# vs a plain TCP sink (the physical limit), on tmpfs and on the real disk. Writes
# docs/perf/DATE-MACHINE.{md,png,csv}. Options: bin/perf-compare.sh --help (profiles: full, quick, smoke).
# Both brokers run with remote JMX on a loopback port; the report puts each broker's own Produce
# latency (Kafka's TotalTimeMs MBean) next to the client's. --metrics-ab runs our broker with metrics
# on and with metrics.enable=false side by side (what the metrics cost in CPU per GB).
# Latency: --loads openloop (in the full profile) runs our open-loop load at --openloop-rates
# (10000,100000 records/s of 1 KB, acks=all idempotent, 60 s windows) and adds a latency table.
# JDKs and collectors: --jdk /usr/lib/jvm/temurin-25-jdk-amd64/bin/java[,...] and --gc g1,zgc run
# our broker also on those, as targets of their own (Kafka and the loads run on this script's java).
#
# Builds the reactor first (skip with PERF_SKIP_BUILD=1) and resolves the reference broker's jars
# into perf/target/kafka-reference/lib with a separate POM, so they never meet our class paths.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-compare: building (mvn -B -q -DskipTests package)" >&2
  mvn -B -q -DskipTests package
fi
if [[ ! -f perf/target/kafka-reference/lib/kafka_2.13-4.4.0.jar ]]; then
  echo "perf-compare: resolving Apache Kafka 4.4.0 into perf/target/kafka-reference/lib" >&2
  mvn -B -q -f perf/kafka-reference/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$PWD/perf/target/kafka-reference/lib"
fi
exec java -Xmx512m -Djava.awt.headless=true \
  -cp "perf/target/perf-0.1.0-SNAPSHOT.jar:perf/target/lib/*" io.zcrx.ingest.perf.e2e.CompareMain "$@"
