# Sourced by bin/zcrx-broker-start.sh and bin/zcrx-storage.sh (not run on its own): builds the
# broker with Maven when its jar is missing or older than the sources, and sets
#   base      the repository root
#   jar       the broker jar (its dependencies in $base/broker-zcrx/target/lib)
#   java_cmd  the java launcher, chosen (and logged on stderr, with why) as:
#               ZCRX_JAVA=<path to a java launcher>   that one
#               JAVA_HOME set                          $JAVA_HOME/bin/java
#               ZCRX_JAVA=auto (the default)           among the JDKs >= 17 in /usr/lib/jvm/* (by the
#                                                      JAVA_VERSION of their release files): the newest of
#                                                      feature release ZCRX_JAVA_PREFER (default 17, the one
#                                                      measured best, docs/perf/2026-12-06-performance.md
#                                                      section 5), else the newest; else java on PATH
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

# The version a JDK directory declares in its release file (JAVA_VERSION="25.0.1"), without starting a JVM.
jdk_release_version() {
  sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$1/release" 2>/dev/null | head -n 1
}
# The version a launcher reports (java -version: openjdk version "17.0.15" ...).
java_cmd_version() {
  "$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1
}
# The feature release of a version: 17 for 17.0.15, 8 for 1.8.0_402.
java_major() {
  local v="${1#1.}"
  [[ "$1" == 1.* ]] || v="$1"
  echo "${v%%[.+_-]*}"
}

zcrx_java="${ZCRX_JAVA:-auto}"
if [[ "$zcrx_java" != auto ]]; then
  [[ -x "$zcrx_java" && ! -d "$zcrx_java" ]] || { echo "error: ZCRX_JAVA=$zcrx_java is not an executable java launcher (or auto)" >&2; exit 1; }
  java_cmd="$zcrx_java"
  java_why="ZCRX_JAVA"
elif [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
  java_why="JAVA_HOME"
else
  java_cmd="java"
  java_why="java on PATH: no JDK >= 17 found in /usr/lib/jvm; set JAVA_HOME or ZCRX_JAVA to choose"
  # JDK 17 vs 25 on this project's loads (docs/perf/2026-12-06-performance.md, section 5): the same firehose
  # throughput and CPU per GB, perf-test within the noise, open-loop p99 at 10,000 records/s half on 17.
  prefer="${ZCRX_JAVA_PREFER:-17}"
  best=""
  best_preferred=""
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [[ -x "$dir/bin/java" ]] || continue
    v="$(jdk_release_version "$dir")"
    [[ -n "$v" ]] || continue
    major="$(java_major "$v")"
    [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || continue
    if [[ "$major" == "$prefer" ]]; then
      if [[ -z "$best_preferred" || "$(printf '%s\n%s\n' "$best_preferred" "$v" | sort -V | tail -n 1)" == "$v" \
            && "$v" != "$best_preferred" ]]; then
        best_preferred="$v"
        preferred_cmd="$dir/bin/java"
      fi
    fi
    if [[ -z "$best" || "$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n 1)" == "$v" && "$v" != "$best" ]]; then
      best="$v"
      java_cmd="$dir/bin/java"
    fi
  done
  if [[ -n "$best_preferred" ]]; then
    java_cmd="$preferred_cmd"
    if [[ -n "${ZCRX_JAVA_PREFER:-}" ]]; then
      java_why="newest JDK $prefer (ZCRX_JAVA_PREFER)"
    else
      java_why="JDK 17, measured best (docs/perf/2026-12-06-performance.md); ZCRX_JAVA_PREFER=25, JAVA_HOME or ZCRX_JAVA to choose"
    fi
  elif [[ -n "$best" ]]; then
    java_why="newest JDK >= 17 found (no JDK $prefer); set JAVA_HOME or ZCRX_JAVA to choose"
  fi
fi
java_version="$(java_cmd_version "$java_cmd")"
[[ -n "$java_version" ]] || { echo "error: $java_cmd does not run (java -version failed); set JAVA_HOME or ZCRX_JAVA" >&2; exit 1; }
if [[ "$(java_major "$java_version")" -lt 17 ]]; then
  echo "error: $java_cmd is Java $java_version; the broker needs 17 or later (set JAVA_HOME or ZCRX_JAVA)" >&2
  exit 1
fi
echo "using $java_cmd ($java_version): $java_why" >&2
