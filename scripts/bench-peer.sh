#!/usr/bin/env bash
# Measures the peer beside Switchboard: Centrifugo in memory (no history,
# no persistence), driven by wsload -mode centrifugo with the same load as
# wsload -mode latency (10 subscriber connections over 500 channels, 500
# publisher connections, a fixed total rate), and, interleaved with it in
# the same sitting, a fresh Switchboard server driven by wsload -mode
# latency, which commits every message before delivering it.
#
#   scripts/bench-peer.sh [runs] [messages/s] [seconds]
#
# The Centrifugo binary is taken from $CENTRIFUGO (default
# /tmp/centrifugo-bin/centrifugo), installed as a tool, outside go.mod:
#   GOBIN=/tmp/centrifugo-bin go install github.com/centrifugal/centrifugo/v6@v6.9.1
# Both listen on loopback only. Set PEER_ONLY=1 to skip the Switchboard runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/centrifugo-config.sh
runs=${1:-5}
rate=${2:-5000}
secs=${3:-10}
centrifugo=${CENTRIFUGO:-/tmp/centrifugo-bin/centrifugo}
if [ ! -x "$centrifugo" ]; then
  echo "bench-peer: no Centrifugo binary at $centrifugo (see the comment at the top of this script)" >&2
  exit 1
fi
port=${BENCH_PORT_BASE:-18300}
cf_port=$port sb_port=$((port + 1))
out=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$out"' EXIT
go build -o "$out/wsload" ./cmd/wsload
[ -n "${PEER_ONLY:-}" ] || go build -o "$out/switchboard" ./cmd/switchboard
secret=bench-peer-$$-$RANDOM
centrifugo_config "$out/config.json" "$cf_port" "$secret"
export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-peer-$$
echo "load before: $(uptime)"
"$centrifugo" version
for i in $(seq "$runs"); do
  (cd "$out" && exec "$centrifugo" -c config.json) >>"$out/centrifugo.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$cf_port/" && break
    sleep 0.1
  done
  printf 'centrifugo  '
  "$out/wsload" -mode centrifugo -addr "127.0.0.1:$cf_port" -hmac-secret "$secret" -rate "$rate" \
    -duration "${secs}s" -sessions 500 -agents 10 -visitors 500 -json || tail -5 "$out/centrifugo.log"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  [ -n "${PEER_ONLY:-}" ] && continue
  rm -rf "$out/data"
  "$out/switchboard" serve --addr "127.0.0.1:$sb_port" --data "$out/data" --log-level warn &
  pid=$!
  printf 'switchboard '
  "$out/wsload" -mode latency -addr "127.0.0.1:$sb_port" -rate "$rate" -duration "${secs}s" \
    -sessions 500 -visitors 500 -agents 10 -json || true
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo "load after: $(uptime)"
