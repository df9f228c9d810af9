#!/usr/bin/env bash
# Apache Kafka's command-line tools (kafka-tools 4.3.1) from this repository's perf class path, for
# machines without a Kafka install. The first argument names the tool as Kafka's script does,
# without "kafka-" and ".sh":
#   bin/kafka-tools.sh topics --bootstrap-server 127.0.0.1:9092 --create --topic demo --partitions 4
#   bin/kafka-tools.sh console-producer --bootstrap-server 127.0.0.1:9092 --topic demo
#   bin/kafka-tools.sh console-consumer --bootstrap-server 127.0.0.1:9092 --topic demo --from-beginning
#   bin/kafka-tools.sh consumer-groups --bootstrap-server 127.0.0.1:9092 --describe --group g
#   bin/kafka-tools.sh dump-log --deep-iteration --files data/kafka-logs/demo-0/00000000000000000000.log
#   bin/kafka-tools.sh metadata-quorum --bootstrap-server 127.0.0.1:9092 describe --status
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat >&2 <<'EOF'
usage: bin/kafka-tools.sh TOOL [arguments of Kafka's kafka-TOOL.sh]
tools: topics, console-producer, console-consumer, consumer-groups, get-offsets,
       producer-perf-test, consumer-perf-test, dump-log, broker-api-versions, metadata-quorum,
       jmx (JmxTool: reads the broker's metrics over remote JMX, docs/metrics.md)
EOF
}

if [[ $# -lt 1 ]]; then
  usage
  exit 2
fi
tool="${1#kafka-}"
tool="${tool%.sh}"
shift
case "$tool" in
  topics)              main=org.apache.kafka.tools.TopicCommand ;;
  console-producer)    main=org.apache.kafka.tools.ConsoleProducer ;;
  console-consumer)    main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  consumer-groups)     main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  get-offsets)         main=org.apache.kafka.tools.GetOffsetShell ;;
  producer-perf-test)  main=org.apache.kafka.tools.ProducerPerformance ;;
  consumer-perf-test)  main=org.apache.kafka.tools.ConsumerPerformance ;;
  dump-log)            main=org.apache.kafka.tools.DumpLogSegments ;;
  broker-api-versions) main=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  metadata-quorum)     main=org.apache.kafka.tools.MetadataQuorumCommand ;;
  jmx)                 main=org.apache.kafka.tools.JmxTool ;;
  -h|--help|help)      usage; exit 0 ;;
  *)
    echo "bin/kafka-tools.sh: unknown tool '$tool'" >&2
    usage
    exit 2 ;;
esac

if [[ ! -d "$base/perf/target/lib" ]]; then
  echo "building the perf module (mvn -B -q -DskipTests package)..." >&2
  (cd "$base" && mvn -B -q -DskipTests -pl perf -am package)
fi
java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
exec "$java_cmd" ${KAFKA_TOOLS_HEAP_OPTS:-${PERF_HEAP_OPTS:--Xmx1g}} \
  "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" \
  -cp "$base/perf/target/lib/*" "$main" "$@"
