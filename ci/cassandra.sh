#!/usr/bin/env bash
# A local single-node Apache Cassandra 5.0 for tests and development, without Docker.
#
#   ci/cassandra.sh start    fetch (first time only) and start a node, wait until CQL answers
#   ci/cassandra.sh stop     stop it cleanly (SIGTERM, then SIGKILL after a grace period)
#   ci/cassandra.sh status   say whether it runs and whether CQL answers; exit 0 only if it does
#   ci/cassandra.sh wait     wait until CQL answers (a real query, not an open port)
#   ci/cassandra.sh fetch    only resolve Cassandra from Maven Central into the cache
#   ci/cassandra.sh reset    stop and delete the node's data and logs
#   ci/cassandra.sh env      print `export CASSANDRA_CONTACT_POINTS=…` for the running node
#   ci/cassandra.sh log      print the end of the node's log
#
# Maven Central does not serve the 5.0 distribution archive, so the node is assembled from
# org.apache.cassandra:cassandra-all and its runtime dependencies (resolved by Maven with
# ci/cassandra/pom.xml) and started with our own cassandra.yaml, logback.xml and JVM options.
#
# Settings (environment):
#   CASSANDRA_VERSION      cassandra-all version                     (5.0.9)
#   CASSANDRA_CACHE_DIR    where the jars are kept between runs      (~/.cache/stateful-serverless/cassandra)
#   CASSANDRA_RUN_DIR      config, data, logs, pid of the node       (${TMPDIR:-/tmp}/stateful-serverless-cassandra)
#   CASSANDRA_NATIVE_PORT  CQL port                                  (9042)
#   CASSANDRA_STORAGE_PORT inter-node port                           (7000)
#   MAX_HEAP_SIZE, HEAP_NEWSIZE  JVM heap                            (1G, 200M)
#   CASSANDRA_START_TIMEOUT seconds to wait for CQL                  (240)
#   CASSANDRA_JAVA_HOME, JAVA_HOME  Java to use (11 or 17), in that order; else `java` on PATH
#   CASSANDRA_AUTHENTICATOR  AllowAllAuthenticator or PasswordAuthenticator (AllowAllAuthenticator);
#                          with PasswordAuthenticator `wait` logs in as CASSANDRA_WAIT_USERNAME /
#                          CASSANDRA_WAIT_PASSWORD (cassandra / cassandra, the default superuser)
#   CASSANDRA_CLIENT_TLS_KEYSTORE  a PKCS12 keystore (key + certificate chain): clients must then
#                          use TLS (client_encryption_options enabled, optional: false) (unset: plaintext)
#   CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD  its password (required with the keystore)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
assets="$script_dir/cassandra"

version="${CASSANDRA_VERSION:-5.0.9}"
cache_dir="${CASSANDRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stateful-serverless/cassandra}"
lib_dir="$cache_dir/$version/lib"
run_dir="${CASSANDRA_RUN_DIR:-${TMPDIR:-/tmp}/stateful-serverless-cassandra}"
native_port="${CASSANDRA_NATIVE_PORT:-9042}"
storage_port="${CASSANDRA_STORAGE_PORT:-7000}"
heap="${MAX_HEAP_SIZE:-1G}"
heap_new="${HEAP_NEWSIZE:-200M}"
start_timeout="${CASSANDRA_START_TIMEOUT:-240}"
authenticator="${CASSANDRA_AUTHENTICATOR:-AllowAllAuthenticator}"
client_keystore="${CASSANDRA_CLIENT_TLS_KEYSTORE:-}"
pid_file="$run_dir/cassandra.pid"
log_dir="$run_dir/logs"

say() { echo "cassandra.sh: $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

java_bin() {
  if [[ -n "${CASSANDRA_JAVA_HOME:-}" && -x "$CASSANDRA_JAVA_HOME/bin/java" ]]; then
    echo "$CASSANDRA_JAVA_HOME/bin/java"
  elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    return 1
  fi
}

require_java() {
  local java major
  java="$(java_bin)" || die "Java is missing: install a JDK 17 (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
  major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  case "$major" in
    11 | 17) ;;
    *) die "Cassandra $version runs on Java 11 or 17; $java is Java '$major' (set CASSANDRA_JAVA_HOME to a JDK 17)" ;;
  esac
}

require_node() {
  command -v node >/dev/null 2>&1 || die "node is missing (needed to check that CQL answers)"
  [[ -d "$repo_root/node_modules/cassandra-driver" ]] || die "node_modules/cassandra-driver is missing: run npm ci first"
}

running_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file may name a recycled pid: only our own node counts (never signal a stranger).
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "CassandraDaemon" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$run_dir/conf/cassandra.yaml" || return 1
  fi
  echo "$pid"
}

cmd_fetch() {
  if [[ -f "$lib_dir/.complete" ]]; then
    say "Cassandra $version already cached in $lib_dir"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "Maven is missing: install it (e.g. apt-get install maven) to fetch Cassandra $version from Maven Central"
  require_java
  say "fetching cassandra-all $version and its dependencies from Maven Central with Maven…"
  local started=$SECONDS tmp="$lib_dir.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  mvn -B -q -f "$assets/pom.xml" -Dcassandra.version="$version" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" ||
    die "Maven could not resolve org.apache.cassandra:cassandra-all:$version (see the output above)"
  ls "$tmp"/cassandra-all-*.jar >/dev/null 2>&1 || die "Maven finished but cassandra-all-$version.jar is not in $tmp"
  touch "$tmp/.complete"
  rm -rf "$lib_dir"
  mv "$tmp" "$lib_dir"
  say "fetched $(find "$lib_dir" -name '*.jar' | wc -l) jars ($(du -sh "$lib_dir" | cut -f1)) in $((SECONDS - started))s"
}

check_security_settings() {
  case "$authenticator" in
    AllowAllAuthenticator | PasswordAuthenticator) ;;
    *) die "CASSANDRA_AUTHENTICATOR must be AllowAllAuthenticator or PasswordAuthenticator, got '$authenticator'" ;;
  esac
  if [[ -n "$client_keystore" ]]; then
    [[ -r "$client_keystore" ]] || die "CASSANDRA_CLIENT_TLS_KEYSTORE names no readable file: '$client_keystore'"
    [[ -n "${CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD:-}" ]] || die "CASSANDRA_CLIENT_TLS_KEYSTORE is set but CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD is not"
    [[ "$client_keystore$CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD" != *[\"\\$'\n']* ]] ||
      die "CASSANDRA_CLIENT_TLS_KEYSTORE and its password must not contain quotes, backslashes or newlines"
  fi
}

write_config() {
  check_security_settings
  mkdir -p "$run_dir/conf" "$run_dir/data" "$run_dir/triggers" "$log_dir"
  sed -e "s|@RUN_DIR@|$run_dir|g" \
    -e "s|@NATIVE_PORT@|$native_port|g" \
    -e "s|@STORAGE_PORT@|$storage_port|g" \
    -e "s|@SSL_STORAGE_PORT@|$((storage_port + 1))|g" \
    -e "s|@AUTHENTICATOR@|$authenticator|g" \
    "$assets/cassandra.yaml.template" >"$run_dir/conf/cassandra.yaml"
  if [[ -n "$client_keystore" ]]; then
    cat >>"$run_dir/conf/cassandra.yaml" <<YAML
client_encryption_options:
  enabled: true
  optional: false
  keystore: "$client_keystore"
  keystore_password: "$CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD"
  store_type: PKCS12
  require_client_auth: false
YAML
  fi
}

port_taken() {
  (echo >"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1
}

cmd_wait() {
  local timeout="${1:-$start_timeout}"
  require_node
  local pid_args=() security_args=()
  if pid="$(running_pid)"; then pid_args=(--pid "$pid"); fi
  # Readiness only: the probe speaks TLS without checking the certificate (tests check that).
  if [[ -n "$client_keystore" ]]; then security_args+=(--tls); fi
  if [[ "$authenticator" == PasswordAuthenticator ]]; then
    security_args+=(--username "${CASSANDRA_WAIT_USERNAME:-cassandra}")
    export CASSANDRA_WAIT_PASSWORD="${CASSANDRA_WAIT_PASSWORD:-cassandra}"
  fi
  (cd "$repo_root" && node --import tsx "$assets/wait-for-cql.ts" \
    --host 127.0.0.1 --port "$native_port" --timeout "$timeout" "${pid_args[@]}" "${security_args[@]}")
}

cmd_start() {
  require_java
  require_node
  if pid="$(running_pid)"; then
    say "already running (pid $pid); checking CQL…"
    cmd_wait >/dev/null || die "pid $pid runs but CQL does not answer; try: ci/cassandra.sh stop && ci/cassandra.sh start"
    say "CQL answers on 127.0.0.1:$native_port"
    return 0
  fi
  rm -f "$pid_file"
  if port_taken "$native_port"; then
    die "port $native_port is taken by another process; stop it or set CASSANDRA_NATIVE_PORT"
  fi
  cmd_fetch
  write_config

  local java jamm opts=()
  java="$(java_bin)"
  jamm="$(ls "$lib_dir"/jamm-*.jar | head -n 1)"
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] || opts+=("$line")
  done <"$assets/jvm17.options"

  local started=$SECONDS
  say "starting Cassandra $version (heap $heap, new $heap_new) in $run_dir…"
  # setsid: the node outlives the shell that started it and gets no terminal signals;
  # 9>&-: it must not inherit (and so hold forever) the start/stop lock.
  nohup setsid "$java" \
    "${opts[@]}" \
    "-Xms$heap" "-Xmx$heap" "-Xmn$heap_new" \
    "-javaagent:$jamm" \
    "-Dcassandra.config=file://$run_dir/conf/cassandra.yaml" \
    "-Dcassandra.storagedir=$run_dir/data" \
    "-Dcassandra.triggers_dir=$run_dir/triggers" \
    "-Dcassandra.logdir=$log_dir" \
    "-Dlogback.configurationFile=$assets/logback.xml" \
    "-Dcassandra-foreground=yes" \
    -cp "$lib_dir/*" \
    org.apache.cassandra.service.CassandraDaemon \
    >"$log_dir/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$pid_file"

  if ! version_seen="$(cmd_wait)"; then
    say "Cassandra did not become ready; last lines of $log_dir:"
    tail -n 30 "$log_dir/stdout.log" >&2 || true
    grep -E "ERROR|Exception" "$log_dir/system.log" 2>/dev/null | tail -n 20 >&2 || true
    cmd_stop || true
    exit 1
  fi
  say "Cassandra $version_seen answers CQL on 127.0.0.1:$native_port (pid $(cat "$pid_file"), started in $((SECONDS - started))s)"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    say "not running"
    return 0
  fi
  say "stopping pid $pid…"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still alive after 30s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  say "stopped"
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    return 1
  fi
  require_node
  local version_seen
  if version_seen="$(cmd_wait 5 2>/dev/null)"; then
    say "running (pid $pid), Cassandra $version_seen answers CQL on 127.0.0.1:$native_port"
  else
    say "running (pid $pid) but CQL does not answer on 127.0.0.1:$native_port"
    return 1
  fi
}

cmd_reset() {
  cmd_stop
  rm -rf "$run_dir"
  say "removed $run_dir"
}

# Serialise start/stop/reset of the one node (two test processes may ask at once).
lock() {
  mkdir -p "$(dirname "$run_dir")"
  exec 9>"$run_dir.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
}

case "${1:-}" in
  start) lock && cmd_start ;;
  stop) lock && cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  fetch) cmd_fetch ;;
  reset) lock && cmd_reset ;;
  env) echo "export CASSANDRA_CONTACT_POINTS=127.0.0.1:$native_port CASSANDRA_LOCAL_DC=datacenter1" ;;
  log) tail -n "${2:-50}" "$log_dir/system.log" ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
