#!/usr/bin/env bash
# Does ingest scale with reactors? Runs the firehose (and with --perf-test also kafka-producer-perf-test)
# against our broker at num.network.threads = 1, 2, 4, 8 (those up to --max-reactors, default the machine's
# cores), next to the C TCP sink (the physical limit) with the same connections, and prints one table:
# MB/s, broker CPU-s/GB, broker cores used, % of the sink's MB/s and CPU-s/GB over the sink's.
#
# It is bin/perf-compare.sh's machinery (CompareMain: how brokers and the sink start, the page-fill cap,
# CPU from /proc/PID/stat) run once per reactor count with --zcrx-override num.network.threads=N, quick
# profile, tmpfs log dir; the client connections grow with the reactors (--connections-per-reactor, at least
# 16) so that every reactor has several. Every firehose request carries one batch for each of the topic's
# 4 partitions, so every reactor appends to every partition (the shared case: two reactors meet on a
# partition's append lock; ContendedAppendBenchmark measures what that costs). Each run's .csv/.md/.png
# are kept under --out.
#
#   bin/perf-scaling.sh [--reactors 1,2,4,8] [--max-reactors N] [--connections-per-reactor 8]
#                       [--transport uring|nio] [--record-sizes 1024] [--acks 1,all] [--reps 3]
#                       [--perf-test] [--out DIR] [-- more perf-compare options]
#   bin/perf-scaling.sh --table DIR [--reactors ...]     (the table of an earlier run again)
#
# Time: about 23 s per reactor count, load (acks=1, acks=all) and repetition, the sink's runs included
# (page-fill-capped runs of 1-2 s, broker start and stop; measured: 279 s for 1,2 x 3 repetitions on the
# 2-core VM), so 1,2,4,8 with the default 2 repetitions is about 6 minutes, with --reps 3 about 9.5;
# --perf-test adds a perf-test run per reactor count and repetition. The load generator shares the machine: on a machine with fewer cores
# than reactors + client, the top rows measure the client, not the broker (the table says so).
set -euo pipefail
cd "$(dirname "$0")/.."

reactors=1,2,4,8
max_reactors=$(nproc)
per_reactor=8
transport=uring
record_sizes=1024
acks=1,all
reps=2
perf_test=0
table_only=0
out="perf/target/perf-scaling-$(date +%Y%m%d-%H%M%S)"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reactors) reactors=$2; shift 2 ;;
    --max-reactors) max_reactors=$2; shift 2 ;;
    --connections-per-reactor) per_reactor=$2; shift 2 ;;
    --transport) transport=$2; shift 2 ;;
    --record-sizes) record_sizes=$2; shift 2 ;;
    --acks) acks=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --perf-test) perf_test=1; shift ;;
    --out) out=$2; shift 2 ;;
    --table) out=$2; table_only=1; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "perf-scaling: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$max_reactors" =~ ^[1-9][0-9]*$ && "$per_reactor" =~ ^[1-9][0-9]*$ && "$reps" =~ ^[1-9][0-9]*$ ]]; then
  echo "perf-scaling: --max-reactors, --connections-per-reactor and --reps take positive integers" >&2
  exit 2
fi
counts=()
for n in ${reactors//,/ }; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "perf-scaling: --reactors takes positive integers: at=$n" >&2
    exit 2
  fi
  if (( n <= max_reactors )); then
    counts+=("$n")
  else
    echo "perf-scaling: skipping $n reactors (over --max-reactors $max_reactors)" >&2
  fi
done
if (( ${#counts[@]} == 0 )); then
  echo "perf-scaling: no reactor count left (--reactors $reactors, --max-reactors $max_reactors)" >&2
  exit 2
fi
loads=firehose
if (( perf_test )); then
  loads=firehose,perf
fi

if (( ! table_only )) && [[ "${PERF_SKIP_BUILD:-0}" != 1 ]]; then
  echo "perf-scaling: building (mvn -B -q -DskipTests package)" >&2
  mvn -B -q -DskipTests package
fi
if (( ! table_only )); then
  mkdir -p "$out"
  compare() {
    java -Xmx512m -Djava.awt.headless=true -cp "perf/target/perf-0.1.0-SNAPSHOT.jar:perf/target/lib/*" \
      io.zcrx.ingest.perf.e2e.CompareMain --profile quick --fs tmpfs --loads "$loads" \
      --record-sizes "$record_sizes" --acks "$acks" --reps "$reps" --out "$out" "$@" "${extra[@]}"
  }
  connections_for() {
    local c=$(( $1 * per_reactor ))
    (( c < 16 )) && c=16
    echo "$c"
  }

  start=$(date +%s)
  for n in "${counts[@]}"; do
    conns=$(connections_for "$n")
    echo "perf-scaling: $n reactor(s), $conns connections" >&2
    compare --targets sink,zcrx --transports "$transport" --connections "$conns" \
      --zcrx-override "num.network.threads=$n" --name "scaling-r$n"
  done
  echo "perf-scaling: done in $(( $(date +%s) - start )) s; runs in $out" >&2
fi

python3 - "$out" "$(nproc)" "${counts[@]}" <<'EOF'
import csv, os, statistics, sys
out, cores, counts = sys.argv[1], int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
def is_sink(r):
    return r["target"].startswith("tcp-sink")
def med(rows, key):
    v = [float(r[key]) for r in rows if r[key] not in ("", None)]
    return statistics.median(v) if v else float("nan")
print(f"\nReactor scaling ({cores} cores; medians, MB/s min-max in brackets; % and ratio against the sink with "
      "the same connections)\n")
print("| reactors | load | target | MB/s | CPU-s/GB | broker cores | busiest thread | % of sink MB/s | CPU-s/GB / sink |")
print("|---|---|---|---|---|---|---|---|---|")
for n in counts:
    path = f"{out}/scaling-r{n}.csv"
    if not os.path.exists(path):
        print(f"| {n} | (no run: {path} missing) | | | | | | | |")
        continue
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ok"] == "true"]
    for load in dict.fromkeys(r["load"] for r in rows):
        sink = [r for r in rows if r["load"] == load and is_sink(r)]
        for target in dict.fromkeys(r["target"] for r in rows if r["load"] == load and not is_sink(r)):
            rs = [r for r in rows if r["load"] == load and r["target"] == target]
            mb, cpu, cores_used = med(rs, "mb_per_sec"), med(rs, "broker_cpu_s_per_gb"), med(rs, "broker_cores")
            spread = f"{min(float(r['mb_per_sec']) for r in rs):,.0f}-{max(float(r['mb_per_sec']) for r in rs):,.0f}"
            smb, scpu = (med(sink, "mb_per_sec"), med(sink, "broker_cpu_s_per_gb")) if sink else (0, 0)
            pct = f"{100 * mb / smb:.0f} %" if smb else "-"
            ratio = f"{cpu / scpu:.2f}" if scpu else "-"
            busiest = ", ".join(rs[len(rs) // 2]["busiest_threads"].split(", ")[:2]) if rs else ""
            note = " (more reactors than cores)" if n > cores else ""
            print(f"| {n}{note} | {load} | {target} | {mb:,.0f} ({spread}) | {cpu:.2f} | {cores_used:.2f} | {busiest} "
                  f"| {pct} | {ratio} |")
        if sink:
            lo, hi = min(float(r["mb_per_sec"]) for r in sink), max(float(r["mb_per_sec"]) for r in sink)
            print(f"| {n} | {load} | sink | {med(sink, 'mb_per_sec'):,.0f} ({lo:,.0f}-{hi:,.0f}) "
                  f"| {med(sink, 'broker_cpu_s_per_gb'):.2f} "
                  f"| {med(sink, 'broker_cores'):.2f} | | 100 % | 1.00 |")
EOF
