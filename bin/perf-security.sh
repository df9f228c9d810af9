#!/usr/bin/env bash
# Security benchmark (issue 14's closing note): what authentication and TLS cost, for our broker and for Apache
# Kafka 4.4.0 configured the same way, in one run. Per target, a fresh cluster of one KRaft controller (Apache
# Kafka 4.4.0, controller-only, PLAINTEXT) and ONE broker (ours in cluster mode, or Kafka's) with three listeners:
#   PLAINTEXT       no authentication, no encryption
#   SASL_PLAINTEXT  SASL/SCRAM-SHA-512 (user "perf", created with kafka-configs through the PLAINTEXT listener:
#                   the controller stores it, the broker learns it from the metadata log)
#   SASL_SSL        TLS (the JDK's TLS on both brokers: PKCS12 keystore made here by keytool, EC P-256, a
#                   certificate for 127.0.0.1 signed by a CA of its own) + SASL/SCRAM-SHA-512
# Both brokers run on the same JDK (--java, default JDK 17: ZCRX_JAVA for ours, the launcher for Kafka's) with a
# 1 GiB heap. On each cluster, one load after the other:
#   perf-test  Kafka's kafka-producer-perf-test (acks=all, idempotent) over EACH listener, each into a topic of its
#              own (perf-<protocol>, --partitions); measured over the whole perf-test process.
#   firehose   our load generator (perf module, FirehoseMain; acks=all, idempotent) over PLAINTEXT only: it speaks
#              the Kafka protocol itself and has no SASL or TLS, so the SASL rows are perf-test's. Measured
#              between its measure-start and measure-end lines.
# CPU: the broker process's utime + stime from /proc/PID/stat over the measured span (the controller is not
# counted; it does the same work for both targets).
#
# Output: RESULTS (default DIR/results.tsv), one row per target, rep, load and protocol: records/s, MB/s (10^6 B
# of record values per second), GB (10^9 B of record values measured), the broker's CPU seconds and CPU-s/GB,
# status; then the same as a table. Per run: DIR/TARGET-REP/ (configs, perf-test-PROTOCOL.out, firehose.out; our
# broker's logs in logs/, Kafka's in broker.out). Data dirs are deleted after each cluster stops unless
# --keep-data.
#
#   bin/perf-security.sh [--targets zcrx,kafka] [--protocols PLAINTEXT,SASL_PLAINTEXT,SASL_SSL]
#                        [--load perf-test|firehose|both] [--records 1000000] [--record-size 1024]
#                        [--partitions 6] [--seconds 20] [--warmup-seconds 5] [--connections 16] [--inflight 8]
#                        [--reps 1] [--java /usr/lib/jvm/java-17-openjdk-amd64/bin/java]
#                        [--dir /tmp/zcrx-perf-security] [--keep-data]
# Smoke run: bin/perf-security.sh --records 20000 --seconds 3 --warmup-seconds 1 --load both
#
# Builds the reactor first (skip with PERF_SKIP_BUILD=1); Kafka's jars come from kafka-dist (the cluster tests'
# copy of the 4.4.0 distribution). Everything listens on 127.0.0.1 only.
set -euo pipefail
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

targets="zcrx,kafka"
protocols="PLAINTEXT,SASL_PLAINTEXT,SASL_SSL"
load="both"
records=1000000
size=1024
partitions=6
seconds=20
warmup=5
connections=16
inflight=8
reps=1
java_cmd="/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
dir="${TMPDIR:-/tmp}/zcrx-perf-security"
keep_data=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --protocols) protocols="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup-seconds) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --inflight) inflight="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --java) java_cmd="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --keep-data) keep_data=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "perf-security: unknown option $1" >&2; exit 2 ;;
  esac
done

die() {
  echo "perf-security: $*" >&2
  exit 2
}
for kv in "records=$records" "record-size=$size" "partitions=$partitions" "connections=$connections" \
          "inflight=$inflight" "reps=$reps"; do
  [[ "${kv#*=}" =~ ^[0-9]+$ ]] && (( ${kv#*=} >= 1 )) || die "--${kv%%=*} must be a positive integer: ${kv}"
done
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v s="$seconds" 'BEGIN { exit !(s > 0) }' \
  || die "--seconds must be a positive number: seconds=$seconds"
[[ "$warmup" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--warmup-seconds must be a number >= 0: warmup-seconds=$warmup"
case "$load" in
  perf-test) loads=(perf-test) ;;
  firehose) loads=(firehose) ;;
  both) loads=(perf-test firehose) ;;
  *) die "--load must be perf-test, firehose or both: load=$load" ;;
esac
for target in ${targets//,/ }; do
  [[ "$target" == zcrx || "$target" == kafka ]] || die "--targets takes zcrx and kafka: target=$target"
done
for p in ${protocols//,/ }; do
  [[ "$p" == PLAINTEXT || "$p" == SASL_PLAINTEXT || "$p" == SASL_SSL ]] \
    || die "--protocols takes PLAINTEXT, SASL_PLAINTEXT and SASL_SSL: protocol=$p"
done
[[ -x "$java_cmd" && ! -d "$java_cmd" ]] || die "--java must be a java launcher: java=$java_cmd"

if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-security: building (mvn -B -q -DskipTests package)" >&2
  (cd "$base" && mvn -B -q -DskipTests package)
fi
libs="${KAFKA_DIST_LIBS:-$base/kafka-dist/target/libs}"
if [[ ! -f "$libs/kafka_2.13-4.4.0.jar" ]]; then
  echo "perf-security: resolving Apache Kafka 4.4.0 into $libs" >&2
  (cd "$base" && mvn -B -q -f kafka-dist/pom.xml generate-resources)
fi
perf_cp="$base/perf/target/perf-0.1.0-SNAPSHOT.jar:$base/perf/target/lib/*"
if [[ " ${loads[*]} " == *" firehose "* && ! -f "$base/perf/target/perf-0.1.0-SNAPSHOT.jar" ]]; then
  die "the firehose needs the perf module built: $base/perf/target/perf-0.1.0-SNAPSHOT.jar is missing"
fi
kafka_java=("$java_cmd" -Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20
            "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" -cp "$libs/*")
tools_java=("$java_cmd" -Xmx512m "-Dlog4j2.configurationFile=$base/config/tools-log4j2.xml" -cp "$libs/*")

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
controller_port="$(free_port)"
declare -A port
for p in PLAINTEXT SASL_PLAINTEXT SASL_SSL; do
  port[$p]="$(free_port)"
done
pids=()
broker_pid=""
password="perf-secret"
store_password="perf-store-secret"

cleanup() {
  # Newest first: the broker shuts down (SIGTERM) while the controller still runs; after 30 s, SIGKILL.
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p="${pids[$i]}"
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 1 60); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$p" 2>/dev/null || true
  done
  pids=()
}
trap cleanup EXIT

cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo -1
}

wait_port() {
  local p="$1" what="$2"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  die "$what did not open port $p"
}

# make_certs DIR: a CA, the broker's PKCS12 keystore (certificate for 127.0.0.1 and localhost, signed by the CA)
# and a PKCS12 truststore with the CA, for both brokers and the clients.
make_certs() {
  local d="$1"
  mkdir -p "$d"
  keytool -genkeypair -alias ca -dname CN=perf-ca -keyalg EC -groupname secp256r1 -ext bc:c -validity 7 \
    -storetype PKCS12 -keystore "$d/ca.p12" -storepass "$store_password" > /dev/null 2>&1
  keytool -exportcert -rfc -alias ca -keystore "$d/ca.p12" -storepass "$store_password" -file "$d/ca.pem" \
    > /dev/null 2>&1
  keytool -importcert -noprompt -alias ca -file "$d/ca.pem" -storetype PKCS12 -keystore "$d/truststore.p12" \
    -storepass "$store_password" > /dev/null 2>&1
  keytool -genkeypair -alias broker -dname CN=localhost -keyalg EC -groupname secp256r1 -validity 7 \
    -storetype PKCS12 -keystore "$d/broker.p12" -storepass "$store_password" > /dev/null 2>&1
  keytool -certreq -alias broker -keystore "$d/broker.p12" -storepass "$store_password" -file "$d/broker.csr" \
    > /dev/null 2>&1
  keytool -gencert -alias ca -keystore "$d/ca.p12" -storepass "$store_password" -infile "$d/broker.csr" \
    -outfile "$d/broker.pem" -rfc -validity 7 -ext "SAN=dns:localhost,ip:127.0.0.1" > /dev/null 2>&1
  keytool -importcert -noprompt -alias ca -file "$d/ca.pem" -keystore "$d/broker.p12" \
    -storepass "$store_password" > /dev/null 2>&1
  keytool -importcert -alias broker -file "$d/broker.pem" -keystore "$d/broker.p12" \
    -storepass "$store_password" > /dev/null 2>&1
  [[ -s "$d/broker.p12" && -s "$d/truststore.p12" ]] || die "keytool did not make the stores in $d"
}

start_controller() {
  local d="$1" id="$2"
  mkdir -p "$d/controller"
  cat > "$d/controller.properties" <<EOF
process.roles=controller
node.id=100
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/controller
EOF
  # The feature levels our broker implements (docs/design.md, "Cluster mode"): Kafka 4.4 brokers join such a
  # cluster too, so both are measured under the same controller settings.
  "${kafka_java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/controller.properties" --standalone \
    --release-version 4.3-IV0 --feature group.version=0 --feature transaction.version=0 \
    --feature share.version=0 --feature streams.version=0 --feature eligible.leader.replicas.version=0 \
    > "$d/controller-format.out" 2>&1
  "${kafka_java[@]}" kafka.Kafka "$d/controller.properties" > "$d/controller.out" 2>&1 &
  pids+=($!)
  disown
  wait_port "$controller_port" controller
}

# The same settings for both brokers (Kafka's names; a SCRAM listener needs a JAAS entry on Kafka's broker, ours
# reads none for SCRAM).
broker_props() {
  local d="$1"
  cat <<EOF
process.roles=broker
node.id=1
listeners=PLAINTEXT://127.0.0.1:${port[PLAINTEXT]},SASL_PLAINTEXT://127.0.0.1:${port[SASL_PLAINTEXT]},SASL_SSL://127.0.0.1:${port[SASL_SSL]}
advertised.listeners=PLAINTEXT://127.0.0.1:${port[PLAINTEXT]},SASL_PLAINTEXT://127.0.0.1:${port[SASL_PLAINTEXT]},SASL_SSL://127.0.0.1:${port[SASL_SSL]}
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$d/certs/broker.p12
ssl.keystore.password=$store_password
ssl.key.password=$store_password
ssl.truststore.type=PKCS12
ssl.truststore.location=$d/certs/truststore.p12
ssl.truststore.password=$store_password
log.dirs=$d/broker
num.partitions=$partitions
default.replication.factor=1
offsets.topic.replication.factor=1
auto.create.topics.enable=false
EOF
}

# client_config PROTOCOL: the client settings of a listener (perf-test's --producer.config).
client_config() {
  local p="$1" d="$2"
  echo "security.protocol=$p"
  if [[ "$p" != PLAINTEXT ]]; then
    echo "sasl.mechanism=SCRAM-SHA-512"
    echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"perf\" password=\"$password\";"
  fi
  if [[ "$p" == SASL_SSL ]]; then
    echo "ssl.truststore.type=PKCS12"
    echo "ssl.truststore.location=$d/certs/truststore.p12"
    echo "ssl.truststore.password=$store_password"
  fi
}

start_broker() {
  local target="$1" d="$2" id="$3"
  broker_props "$d" > "$d/broker.properties"
  if [[ "$target" == zcrx ]]; then
    "$base/bin/zcrx-storage.sh" format -t "$id" -c "$d/broker.properties" > "$d/broker-format.out" 2>&1
    mkdir -p "$d/logs"
    ZCRX_JAVA="$java_cmd" ZCRX_LOGS_DIR="$d/logs" ZCRX_HEAP_OPTS="-Xms1g -Xmx1g" \
      "$base/bin/zcrx-broker-start.sh" -daemon "$d/broker.properties" > /dev/null
    broker_pid="$(cat "$d/logs/zcrx-broker.pid")"
  else
    "${kafka_java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/broker.properties" \
      --no-initial-controllers > "$d/broker-format.out" 2>&1
    "${kafka_java[@]}" kafka.Kafka "$d/broker.properties" > "$d/broker.out" 2>&1 &
    broker_pid=$!
    disown
  fi
  pids+=("$broker_pid")
  for p in PLAINTEXT SASL_PLAINTEXT SASL_SSL; do
    wait_port "${port[$p]}" "the $target broker's $p listener"
  done
}

topics() {
  "$base/bin/kafka-tools.sh" topics --bootstrap-server "127.0.0.1:${port[PLAINTEXT]}" "$@"
}

# create_topic DIR TOPIC: all partitions on the one broker; waits until each has a leader.
create_topic() {
  local d="$1" t="$2" n
  topics --create --topic "$t" --partitions "$partitions" --replication-factor 1 > "$d/$t-create.out" 2>&1 \
    || { cat "$d/$t-create.out" >&2; die "cannot create topic $t (see $d/$t-create.out)"; }
  for _ in $(seq 1 40); do
    topics --describe --topic "$t" > "$d/$t.describe" 2>&1 || true
    n="$(grep -c 'Leader: 1' "$d/$t.describe" || true)"
    [[ "$n" == "$partitions" ]] && return 0
    sleep 1
  done
  die "topic $t: not every partition has a leader (see $d/$t.describe)"
}

# create_user DIR: SCRAM-SHA-512 user "perf" with kafka-configs (Kafka 4.4's) through the PLAINTEXT listener,
# then a 10-record perf-test over SASL_PLAINTEXT until it logs in (the broker learns the user from the metadata
# log a moment later).
create_user() {
  local d="$1"
  "${tools_java[@]}" org.apache.kafka.tools.ConfigCommand --bootstrap-server "127.0.0.1:${port[PLAINTEXT]}" \
    --alter --entity-type users --entity-name perf \
    --add-config "SCRAM-SHA-512=[iterations=4096,password=$password]" > "$d/kafka-configs.out" 2>&1 \
    || { cat "$d/kafka-configs.out" >&2; die "kafka-configs could not create the SCRAM user (see $d/kafka-configs.out)"; }
  client_config SASL_PLAINTEXT "$d" > "$d/client-SASL_PLAINTEXT.properties"
  create_topic "$d" login-check
  for _ in $(seq 1 30); do
    if timeout 60 "$base/bin/kafka-producer-perf-test.sh" --topic login-check --num-records 10 --record-size 10 \
        --throughput -1 --producer.config "$d/client-SASL_PLAINTEXT.properties" \
        --producer-props "bootstrap.servers=127.0.0.1:${port[SASL_PLAINTEXT]}" max.block.ms=5000 \
        > "$d/login-check.out" 2>&1 && grep -q '10 records sent' "$d/login-check.out"; then
      return 0
    fi
    sleep 1
  done
  die "user perf cannot log in over SASL_PLAINTEXT (see $d/login-check.out)"
}

# emit TARGET REP LOAD PROTOCOL RECORDS_PER_S MB_PER_S GB TICKS0 TICKS1 STATUS
emit() {
  awk -v t="$1" -v r="$2" -v l="$3" -v p="$4" -v rps="$5" -v mbs="$6" -v gb="$7" -v c0="$8" -v c1="$9" \
      -v hz="$hz" -v st="${10}" 'BEGIN {
    ok = (c0 != "" && c1 != "" && c0 >= 0 && c1 >= 0 && gb > 0)
    s = ok ? (c1 - c0) / hz : 0
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\n", t, r, l, p, rps, mbs, gb,
      ok ? sprintf("%.2f", s) : "-", ok ? sprintf("%.2f", s / gb) : "-", st }' >> "$results"
}

run_perf_test() {
  local target="$1" rep="$2" d="$3" protocol="$4" t c0 c1 rc=0 summary rps="-" mbs="-" errors status
  t="perf-$(tr '[:upper:]_' '[:lower:]-' <<< "$protocol")"
  create_topic "$d" "$t"
  client_config "$protocol" "$d" > "$d/client-$protocol.properties"
  c0="$(cpu_ticks "$broker_pid")"
  # A stalled broker must not hang the run: far more than the slowest plausible pace (5 MB/s).
  timeout "$((600 + records * size / 5000000))" "$base/bin/kafka-producer-perf-test.sh" --topic "$t" \
    --num-records "$records" --record-size "$size" --throughput -1 \
    --producer.config "$d/client-$protocol.properties" \
    --producer-props "bootstrap.servers=127.0.0.1:${port[$protocol]}" acks=all enable.idempotence=true \
    > "$d/perf-test-$protocol.out" 2>&1 || rc=$?
  c1="$(cpu_ticks "$broker_pid")"
  summary="$(grep 'records sent' "$d/perf-test-$protocol.out" | tail -n 1 || true)"
  errors="$(grep -c -E 'Exception|ERROR|Error' "$d/perf-test-$protocol.out" || true)"
  if [[ "$rc" != 0 || -z "$summary" ]]; then
    status="failed:rc=$rc"
    echo "perf-security: WARNING: perf-test $protocol on $target rep $rep failed (rc=$rc)," \
      "see $d/perf-test-$protocol.out" >&2
  else
    # perf-test's own MB/sec is MiB/s; here MB = 10^6 B, as the firehose's row.
    rps="$(sed -E 's/.*records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$summary")"
    mbs="$(awk -v r="$rps" -v s="$size" 'BEGIN { printf "%.2f", r * s / 1e6 }')"
    status="ok"
    echo "perf-security: $target rep $rep perf-test $protocol: $summary" >&2
  fi
  if [[ "$errors" != 0 ]]; then
    status="$status,errors:$errors"
    grep -E 'Exception|ERROR|Error' "$d/perf-test-$protocol.out" | sort | uniq -c | sort -rn | head -n 5 >&2
  fi
  emit "$target" "$rep" perf-test "$protocol" "$rps" "$mbs" \
    "$(awk -v r="$records" -v s="$size" 'BEGIN { printf "%.6f", r * s / 1e9 }')" "$c0" "$c1" "$status"
}

run_firehose() {
  local target="$1" rep="$2" d="$3" t=firehose rc=0 result status rps="-" mbs="-" gb=0 c0="" c1=""
  create_topic "$d" "$t"
  rm -f "$d/firehose-cpu-start" "$d/firehose-cpu-end"
  set +e
  timeout "$(awk -v w="$warmup" -v s="$seconds" 'BEGIN { printf "%d", w + s + 300 }')" \
    "$java_cmd" -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$perf_cp" io.zcrx.ingest.perf.load.FirehoseMain \
    --bootstrap "127.0.0.1:${port[PLAINTEXT]}" --topic "$t" --partitions "$partitions" --record-size "$size" \
    --acks all --idempotent true --connections "$connections" --inflight "$inflight" \
    --warmup-seconds "$warmup" --seconds "$seconds" --max-bytes "$fh_max_bytes" --fresh-topic true 2>&1 \
    | while IFS= read -r line; do
        case "$line" in
          "firehose: measure-start") cpu_ticks "$broker_pid" > "$d/firehose-cpu-start" ;;
          "firehose: measure-end") cpu_ticks "$broker_pid" > "$d/firehose-cpu-end" ;;
        esac
        printf '%s\n' "$line"
      done > "$d/firehose.out"
  rc="${PIPESTATUS[0]}"
  set -e
  result="$(grep '^firehose: result ' "$d/firehose.out" | tail -n 1 || true)"
  if [[ "$rc" != 0 || -z "$result" || ! -s "$d/firehose-cpu-start" || ! -s "$d/firehose-cpu-end" ]]; then
    status="failed:rc=$rc"
    echo "perf-security: WARNING: firehose on $target rep $rep failed (rc=$rc), see $d/firehose.out" >&2
  else
    c0="$(cat "$d/firehose-cpu-start")"
    c1="$(cat "$d/firehose-cpu-end")"
    read -r rps mbs gb < <(sed -E 's/.* records=([0-9]+) payloadBytes=([0-9]+) .* seconds=([0-9.E-]+) .*/\1 \2 \3/' \
      <<< "$result" | awk '{ printf "%.1f %.2f %.6f\n", $1 / $3, $2 / 1e6 / $3, $2 / 1e9 }')
    status="ok"
    echo "perf-security: $target rep $rep firehose PLAINTEXT: $rps records/s, $mbs MB/s" >&2
  fi
  emit "$target" "$rep" firehose PLAINTEXT "$rps" "$mbs" "$gb" "$c0" "$c1" "$status"
}

mkdir -p "$dir"
results="${RESULTS:-$dir/results.tsv}"
printf 'target\trep\tload\tprotocol\trecords_per_s\tMB_per_s\tGB\tbroker_cpu_s\tbroker_cpu_s_per_GB\tstatus\n' \
  > "$results"
hz="$(getconf CLK_TCK)"
# The firehose's byte budget: warm-up + window within 40 % of the free space, at most 8 GiB.
avail="$(df -P -B1 "$dir" | awk 'NR == 2 { print $4 }')"
fh_max_bytes="$(awk -v a="$avail" -v w="$warmup" -v s="$seconds" 'BEGIN {
  m = a * 0.4 * s / (w + s); if (m > 8 * 2^30) m = 8 * 2^30; if (m < 1) m = 1; printf "%d", m }')"

for rep in $(seq 1 "$reps"); do
  for target in ${targets//,/ }; do
    d="$dir/$target-$rep"
    rm -rf "$d"
    mkdir -p "$d"
    make_certs "$d/certs"
    id="$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    echo "perf-security: $target rep $rep: controller + 1 broker, cluster id $id, in $d" >&2
    start_controller "$d" "$id"
    start_broker "$target" "$d" "$id"
    create_user "$d"
    for l in "${loads[@]}"; do
      if [[ "$l" == perf-test ]]; then
        for protocol in ${protocols//,/ }; do
          run_perf_test "$target" "$rep" "$d" "$protocol"
        done
      elif [[ ",$protocols," == *",PLAINTEXT,"* ]]; then
        run_firehose "$target" "$rep" "$d"
      fi
    done
    cleanup
    if [[ "$keep_data" != 1 ]]; then
      rm -rf "$d/broker" "$d/controller"
    fi
  done
done
echo "perf-security: 1 broker, $partitions partitions per topic, $size B records, acks=all, idempotent;" \
  "MB = 10^6 B, GB = 10^9 B of record values; SCRAM-SHA-512 (4096 iterations); TLS: the JDK's, on $java_cmd"
echo "perf-security: perf-test: $records records per listener, CPU over the whole perf-test; firehose:" \
  "$connections connections x $inflight in flight, PLAINTEXT only (it has no SASL/TLS), ${warmup} s warm-up +" \
  "${seconds} s window, CPU over the window"
column -t -s $'\t' "$results"
