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

source "$(dirname "${BASH_SOURCE[0]}")/broker-env.sh"
exec "$java_cmd" -Xmx256m "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" \
  -cp "$jar:$base/broker-zcrx/target/lib/*" io.zcrx.ingest.broker.cluster.StorageTool "$@"
