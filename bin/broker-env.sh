# Sourced by bin/zcrx-broker-start.sh and bin/zcrx-storage.sh (not run on its own): builds the
# broker with Maven when its jar is missing or older than the sources, and sets
#   base      the repository root
#   jar       the broker jar (its dependencies in $base/broker-zcrx/target/lib)
#   java_cmd  $JAVA_HOME/bin/java, else java on PATH
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
