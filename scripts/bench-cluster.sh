#!/usr/bin/env bash
# Reproduces the cluster figures of docs/benchmarks.md on one machine: a
# throwaway PostgreSQL (initdb in a temp dir, loopback, default durability:
# fsync and synchronous_commit on), a NATS server with JetStream, and two
# switchboard nodes. Everything shares the machine's cores.
#
#   scripts/bench-cluster.sh http     [runs] [seconds]   commands/s via the leader, via the follower, pgbench -N beside them
#   scripts/bench-cluster.sh ws       [runs] [messages/s] WebSocket messages through the follower
#   scripts/bench-cluster.sh failover [runs] [ttl]        SIGKILL the leader: time to the next accepted command
#
# Each line printed is one measurement as JSON, labelled. PG_BIN sets the
# PostgreSQL binaries (/usr/lib/postgresql/15/bin). PPROF=1 serves each
# node's profiles on 127.0.0.1:1606N (node N). SWITCHBOARD_BIN=path runs
# that server binary instead of building one (to compare two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-http}
runs=${2:-5}
out=$(mktemp -d)
pgbin=${PG_BIN:-/usr/lib/postgresql/15/bin}
pgport=${PG_PORT:-15432}
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$out"
  as=(runuser -u postgres --)
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  "${as[@]}" "$pgbin/pg_ctl" -D "$out/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT

if [ -n "${SWITCHBOARD_BIN:-}" ]; then
  cp "$SWITCHBOARD_BIN" "$out/switchboard"
else
  go build -o "$out/switchboard" ./cmd/switchboard
fi
go build -o "$out/sbload" ./cmd/sbload
go build -o "$out/wsload" ./cmd/wsload
go build -o "$out/nats-server" github.com/nats-io/nats-server/v2

"${as[@]}" "$pgbin/initdb" -D "$out/pg" -U postgres -A trust -E UTF8 --locale=C >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$out/pg" -l "$out/pg.log" -w -o "-h 127.0.0.1 -p $pgport -k $out -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
pg="postgres://postgres@127.0.0.1:$pgport"
psql() { command psql -qAt "$pg/postgres?sslmode=disable" "$@"; }

"$out/nats-server" -a 127.0.0.1 -p 14222 -js -sd "$out/nats" >"$out/nats.log" 2>&1 &
pids+=($!)
bus=nats://127.0.0.1:14222

export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-$$
# node N DB: starts node N (1 or 2) on database DB; its API on 1808N.
node() {
  mkdir -p "$out/data$1"
  "$out/switchboard" serve --addr "127.0.0.1:1808$1" --data "$out/data$1" --log-level warn \
    --store "$pg/$2?sslmode=disable" --bus "$bus" --cluster-addr "127.0.0.1:1909$1" --cluster-secret bench \
    --node-name "node-$1" --lease-ttl "${ttl:-5s}" ${PPROF:+--pprof 127.0.0.1:1606$1} &
  pids+=($!)
  eval "pid$1=$!"
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:1808$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "node $1 did not get ready" >&2
  return 1
}
stop_nodes() {
  for p in ${pid1:-} ${pid2:-}; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pid1= pid2=
}
fresh_db() { psql -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

case "$mode" in
http)
  secs=${3:-10}
  psql -c "CREATE DATABASE pgb"
  "$pgbin/pgbench" -i -q -s 10 -h 127.0.0.1 -p "$pgport" -U postgres pgb >/dev/null 2>&1
  for i in $(seq "$runs"); do
    fresh_db sb
    node 1 sb
    node 2 sb
    echo "leader: $(command psql -qAt "$pg/sb?sslmode=disable" -c "SELECT holder FROM leases WHERE name = 'leader'")"
    echo "via-leader $("$out/sbload" -addr 127.0.0.1:18081 -clients 64 -duration "${secs}s" -json)"
    echo "via-follower $("$out/sbload" -addr 127.0.0.1:18082 -clients 64 -duration "${secs}s" -json)"
    tps=$("$pgbin/pgbench" -N -c 64 -j 2 -T "$secs" -h 127.0.0.1 -p "$pgport" -U postgres pgb 2>/dev/null |
      sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "pgbench-N {\"tps\":$tps}"
    stop_nodes
  done
  ;;
ws)
  rate=${3:-2500}
  for i in $(seq "$runs"); do
    fresh_db sb
    node 1 sb
    node 2 sb
    echo "via-follower $("$out/wsload" -mode latency -addr 127.0.0.1:18082 -rate "$rate" -duration 10s \
      -sessions 500 -visitors 500 -json)"
    echo "via-leader $("$out/wsload" -mode latency -addr 127.0.0.1:18081 -rate "$rate" -duration 10s \
      -sessions 500 -visitors 500 -json)"
    stop_nodes
  done
  ;;
failover)
  ttl=${3:-5s}
  for i in $(seq "$runs"); do
    fresh_db sb
    node 1 sb
    node 2 sb
    auth="Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN"
    curl -fs -X POST -H "$auth" -H 'Content-Type: application/json' -d '{"name":"Failover"}' \
      http://127.0.0.1:18081/api/v1/queues >/dev/null
    kill -9 "$pid1"
    t0=$(date +%s.%N)
    # One command to the survivor: it waits for a leader and is answered
    # once node-2 has taken the lease and built routing.
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' \
      -H "Idempotency-Key: failover-$i" -d '{"type":"chat_web","queue_id":1}' http://127.0.0.1:18082/api/v1/sessions)
    t1=$(date +%s.%N)
    echo "failover {\"ttl\":\"$ttl\",\"status\":$code,\"seconds\":$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")}"
    wait "$pid1" 2>/dev/null || true
    pid1=
    stop_nodes
  done
  ;;
*)
  echo "usage: $0 http|ws|failover [runs] [arg]" >&2
  exit 2
  ;;
esac
