#!/usr/bin/env bash
# Apache Kafka's kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance, kafka-tools
# 4.3.1) from this repository's perf class path, for machines without a Kafka install:
#   bin/kafka-producer-perf-test.sh --topic t --num-records 1000000 --record-size 1024 \
#       --throughput -1 --producer-props bootstrap.servers=127.0.0.1:9092
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -d "$base/perf/target/lib" ]]; then
  echo "building the perf module (mvn -B -q -DskipTests package)..." >&2
  (cd "$base" && mvn -B -q -DskipTests -pl perf -am package)
fi
java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
exec "$java_cmd" ${PERF_HEAP_OPTS:--Xmx1g} "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" \
  -cp "$base/perf/target/lib/*" org.apache.kafka.tools.ProducerPerformance "$@"
