#!/usr/bin/env bash
# Starts the broker, the way Kafka's kafka-server-start.sh does:
#   bin/zcrx-broker-start.sh [-daemon] [config/server.properties] [--override key=value ...]
# In the foreground by default (Ctrl-C stops it cleanly); -daemon detaches (stop with
# bin/zcrx-broker-stop.sh). Builds the broker with Maven first if it is missing or older than the
# sources. Environment: ZCRX_HEAP_OPTS (default -Xms256m -Xmx1g), ZCRX_JVM_OPTS (extra options),
# ZCRX_JAVA=auto|<java launcher> and JAVA_HOME (which JDK: see bin/broker-env.sh; by default JAVA_HOME,
# else JDK 17 (measured best), else the newest JDK >= 17 in /usr/lib/jvm, logged on start), ZCRX_LOGS_DIR (default
# <install>/logs), and remote JMX as in Kafka's kafka-run-class.sh: JMX_PORT opens the JMX/RMI
# port (no authentication, no TLS: only where the port is firewalled), KAFKA_JMX_OPTS replaces the
# default JMX options.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/broker-env.sh"
daemon=0
if [[ "${1:-}" == "-daemon" ]]; then
  daemon=1
  shift
fi

logs_dir="${ZCRX_LOGS_DIR:-$base/logs}"
mkdir -p "$logs_dir"
heap_opts="${ZCRX_HEAP_OPTS:--Xms256m -Xmx1g}"
jvm_opts="${ZCRX_JVM_OPTS:-}"
# Remote JMX exactly as kafka-run-class.sh sets it up, so Kafka's monitoring recipes (jconsole,
# JmxTool, the Prometheus JMX exporter in http mode) work unchanged. The RMI port is pinned to the
# JMX port unless KAFKA_JMX_OPTS names one: a random RMI port cannot pass a firewall or a container's
# port mapping.
if [[ -z "${KAFKA_JMX_OPTS:-}" ]]; then
  KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false"
  KAFKA_JMX_OPTS+=" -Dcom.sun.management.jmxremote.ssl=false"
fi
if [[ -n "${JMX_PORT:-}" ]]; then
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  if [[ "$KAFKA_JMX_OPTS" != *"-Dcom.sun.management.jmxremote.rmi.port="* ]]; then
    KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
  fi
fi
# JDK 22+ warns when JNA loads its native library (restricted method System::load) unless native
# access is granted; JDK 17 runs without the flag.
native_access=""
if [[ "$(java_major "$java_version")" -ge 22 ]]; then
  native_access="--enable-native-access=ALL-UNNAMED"
fi
# AutoBoxCacheMax: the JDK's epoll selector (NIO transport) boxes every ready socket descriptor;
# with more than ~100 connections that would allocate per event unless the Integer cache covers them.
cmd=("$java_cmd" $heap_opts -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:AutoBoxCacheMax=65536 $native_access
     $KAFKA_JMX_OPTS $jvm_opts
     "-Dlog4j2.configurationFile=$base/config/log4j2.xml" "-Dzcrx.logs.dir=$logs_dir"
     -cp "$jar:$base/broker-zcrx/target/lib/*" io.zcrx.ingest.broker.Main "$@")

if [[ "$daemon" == 1 ]]; then
  nohup "${cmd[@]}" > "$logs_dir/zcrx-broker.out" 2>&1 < /dev/null &
  echo $! > "$logs_dir/zcrx-broker.pid"
  echo "broker started in the background, pid $(cat "$logs_dir/zcrx-broker.pid"); log: $logs_dir/server.log"
else
  exec "${cmd[@]}"
fi
