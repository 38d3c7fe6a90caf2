#!/usr/bin/env bash
# A Spark standalone cluster on this machine, for trying `--spark-master spark://…` without a Spark distribution:
# a master and workers started as separate JVMs from Spark's own classes, on 127.0.0.1, ports chosen by the system.
#
#   tools/spark-local-cluster.sh start [WORKERS [CORES]]   # default 2 workers of 1 core; last line: the master URL
#   tools/spark-local-cluster.sh stop                      # stops them and the executors they started
#
# Spark's class path is the one the build resolves (spark-runtime/target/spark-classpath.txt: run
# `./mvnw -pl cli -am package -DskipTests` first), linked into a Spark home folder, from which the workers also make
# their executors' class path: wegeft's classes reach the executors only as spark.jars (the ./wegeft launcher sets it
# to wegeft.jar). Logs and state: $WEGEFT_SPARK_DIR (default spark-runtime/target/local-cluster).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/java-home.sh"
DIR="${WEGEFT_SPARK_DIR:-$ROOT/spark-runtime/target/local-cluster}"
CP_FILE="$ROOT/spark-runtime/target/spark-classpath.txt"
# what Spark 4's daemons need on Java 25: reflective access to JDK internals (as wegeft.spark.jvm.flags in pom.xml)
SPARK_JVM_FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED)

die() { echo "spark-local-cluster: $*" >&2; exit 2; }

# waits until FILE has a line matching REGEX (grep -E) while process PID lives; prints the first match
await() { # file regex pid
  for _ in $(seq 1 900); do
    if [ -f "$1" ] && grep -Eo "$2" "$1" | head -1 | grep .; then return 0; fi
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$1" >&2 || true
  die "no '$2' in $1 (the JVM exited or 90 s passed)"
}

# starts a daemon in a session of its own (so stop can end it with the executors it forks); prints its pid
launch() { # log main-class args...
  local log="$1" main="$2"; shift 2
  SPARK_HOME="$DIR/spark-home" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13 \
    setsid java -Xmx512m "${SPARK_JVM_FLAGS[@]}" -cp "$DIR/spark-home/jars/*" "$main" "$@" >"$log" 2>&1 </dev/null &
  echo $!
}

stop() {
  [ -d "$DIR" ] || return 0
  local pids=()
  for f in "$DIR"/*.pid; do
    [ -f "$f" ] || continue
    pids+=("$(cat "$f")")
    rm -f "$f"
  done
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for p in ${pids[@]+"${pids[@]}"}; do kill -0 -- "-$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.2
  done
  for p in ${pids[@]+"${pids[@]}"}; do kill -KILL -- "-$p" 2>/dev/null || true; done
}

start() {
  local workers="${1:-2}" cores="${2:-1}"
  [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number, got '$workers'"
  [[ "$cores" =~ ^[1-9][0-9]*$ ]] || die "CORES must be a positive number, got '$cores'"
  [ -s "$CP_FILE" ] || die "$CP_FILE is missing; build first: ./mvnw -pl cli -am package -DskipTests"
  if compgen -G "$DIR/*.pid" >/dev/null; then die "a cluster is running (pid files in $DIR); stop it first"; fi
  rm -rf "$DIR/spark-home/jars"
  mkdir -p "$DIR/spark-home/jars"
  echo "Spark's jars, linked by tools/spark-local-cluster.sh" > "$DIR/spark-home/RELEASE"
  tr ':' '\n' < "$CP_FILE" | while read -r jar; do [ -n "$jar" ] && ln -s "$jar" "$DIR/spark-home/jars/"; done
  local pid url
  pid=$(launch "$DIR/master.log" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0)
  echo "$pid" > "$DIR/master.pid"
  url=$(await "$DIR/master.log" 'spark://127\.0\.0\.1:[0-9]+' "$pid") || { stop; exit 2; }
  for i in $(seq 0 $((workers - 1))); do
    mkdir -p "$DIR/worker-$i"
    pid=$(launch "$DIR/worker-$i.log" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 \
      --webui-port 0 --cores "$cores" --memory 2g --work-dir "$DIR/worker-$i" "$url")
    echo "$pid" > "$DIR/worker-$i.pid"
    await "$DIR/worker-$i.log" 'Successfully registered with master' "$pid" >/dev/null || { stop; exit 2; }
  done
  echo "master and $workers worker(s) of $cores core(s) running; logs in $DIR; stop with: $0 stop"
  echo "$url"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) die "usage: $0 start [WORKERS [CORES]] | stop" ;;
esac
