#!/usr/bin/env bash
# Apache Kafka's kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance, kafka-tools
# 4.3.1) from this repository's perf class path, for machines without a Kafka install:
#   bin/kafka-producer-perf-test.sh --topic t --num-records 1000000 --record-size 1024 \
#       --throughput -1 --producer-props bootstrap.servers=127.0.0.1:9092
# The other Kafka tools: bin/kafka-tools.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-tools.sh" producer-perf-test "$@"
