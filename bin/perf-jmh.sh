#!/usr/bin/env bash
# Hot-path micro-benchmarks (JMH with -prof gc): recording metrics (--include Metrics), frame
# assembly, Produce decode, CRC-32C and batch checks over 1/2/16 slices, the append path to a file
# on tmpfs, index appends. Writes
# docs/perf/DATE-MACHINE-jmh.md. Options: [--include REGEX] [--quick] [--out DIR] [--name NAME].
# Plain JMH flags work too:
#   java -cp "perf/target/perf-0.1.0-SNAPSHOT.jar:perf/target/lib/*" org.openjdk.jmh.Main -prof gc ...
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-jmh: building (mvn -B -q -DskipTests package)" >&2
  mvn -B -q -DskipTests package
fi
exec java -Xmx512m -cp "perf/target/perf-0.1.0-SNAPSHOT.jar:perf/target/lib/*" io.zcrx.ingest.perf.micro.JmhMain "$@"
