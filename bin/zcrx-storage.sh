#!/usr/bin/env bash
# Formats this broker's storage for cluster mode (process.roles=broker), the way Kafka's
# kafka-storage.sh formats a broker's (--no-initial-controllers), with Kafka's own formatter:
#   bin/zcrx-storage.sh random-uuid
#   bin/zcrx-storage.sh format -t <cluster-id> -c config/broker.properties [--ignore-formatted]
# Every log dir and metadata.log.dir get meta.properties (cluster.id, node.id, directory.id). The
# cluster id must be the controllers' (the one their kafka-storage.sh format -t used). A standalone
# broker (no process.roles) needs none of this: it formats its log dirs at first start. Builds the
# broker with Maven first if it is missing or older than the sources. JAVA_HOME as for the broker.
set -euo pipefail

base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$base/broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar"
stale=0
if [[ ! -f "$jar" || ! -d "$base/broker-zcrx/target/lib" ]]; then
  stale=1
elif [[ -n "$(find "$base/pom.xml" "$base"/native-io "$base"/protocol "$base"/log-store "$base"/broker-zcrx \
        \( -name target -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print \) 2>/dev/null | head -n 1)" ]]; then
  stale=1
fi
if [[ "$stale" == 1 ]]; then
  command -v mvn >/dev/null || { echo "error: Maven (mvn) is needed to build the broker" >&2; exit 1; }
  echo "building the broker (mvn -B -q -DskipTests package)..." >&2
  (cd "$base" && mvn -B -q -DskipTests -pl broker-zcrx -am package)
fi

java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
exec "$java_cmd" -Xmx256m "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" \
  -cp "$jar:$base/broker-zcrx/target/lib/*" io.zcrx.ingest.broker.cluster.StorageTool "$@"
