#!/usr/bin/env bash
# Compares the headline figures of docs/benchmarks.md between a git ref (A)
# and the work tree (B), interleaved in one sitting (A B A B …), with the
# ceilings measured in the same rounds, and prints a compact table of
# medians, spreads, ratios to the ceilings and B/A.
#
#   scripts/bench-compare.sh [options] REF
#
#   -r N      rounds (default 5; quick 3)
#   -s SEC    seconds each load run measures (default 8; quick 4)
#   -b LIST   benchmarks, comma-separated, of: http,ws,engine,routing,report,sqlite,peer
#             (default all; peer only when $CENTRIFUGO, default
#             /tmp/centrifugo-bin/centrifugo, is there: see scripts/bench-peer.sh)
#   -w RATE   WebSocket messages a second (default 5000)
#   -q        quick: 3 rounds of 4 s, shorter in-process benchmarks (about 3 min)
#   -o FILE   keep the raw figures (metric, side, round, value) in FILE
#
# Each round runs, for A then B (B then A in even rounds): a fresh server on loopback with an empty
# data directory driven by sbload (64 clients, as scripts/bench-http.sh),
# then wrk -t2 -c64 on its /healthz (a ceiling); a fresh server driven by
# wsload -mode latency (as scripts/bench-ws.sh), whose ping/pong p99 on the
# same server is the ceiling of the WebSocket figures; and the in-process
# benchmarks, compiled beforehand. Once a round, sbload drives its own
# trivial JSON server (sbload -trivial-server): the ceiling of the HTTP
# command figures; with peer, wsload -mode centrifugo drives Centrifugo in
# memory with the WebSocket load, the peer that persists nothing. Both sides are driven by the work tree's load tools, so
# that only the server and the packages differ.
#
# The load tools share the machine's cores with the server; the machine's
# load average is printed before and after. Quote figures as ratios to the
# ceilings of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/centrifugo-config.sh
repo=$(pwd)

centrifugo=${CENTRIFUGO:-/tmp/centrifugo-bin/centrifugo}
benches=http,ws,engine,routing,report,sqlite
[ -x "$centrifugo" ] && benches=$benches,peer
r_set="" s_set="" rounds=5 secs=8 rate=5000 quick=0 raw=""
while getopts "r:s:b:w:qo:h" opt; do
  case "$opt" in
  r) rounds=$OPTARG r_set=1 ;;
  s) secs=$OPTARG s_set=1 ;;
  b) benches=$OPTARG ;;
  w) rate=$OPTARG ;;
  q) quick=1 ;;
  o) raw=$OPTARG ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
  echo "usage: scripts/bench-compare.sh [-r rounds] [-s seconds] [-b benchmarks] [-w rate] [-q] [-o file] REF" >&2
  exit 2
fi
ref=$1
benchtime=2s wrksecs=8
if [ "$quick" = 1 ]; then # -r and -s still win
  [ -n "${r_set:-}" ] || rounds=3
  [ -n "${s_set:-}" ] || secs=4
  benchtime=1s wrksecs=4
fi
has() { [[ ",$benches," == *",$1,"* ]]; }

sha_a=$(git rev-parse --short "$ref^{commit}")
sha_b=$(git rev-parse --short HEAD)
dirty=""
git diff --quiet HEAD -- . 2>/dev/null || dirty="+changes"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
res=$tmp/results.tsv
: >"$res"

port=${BENCH_PORT_BASE:-18200}
http_port=$port ws_port=$((port + 1)) trivial_port=$((port + 2)) peer_port=$((port + 3))
export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-compare-$$

echo "load before: $(uptime)"
load_before=$(uptime | sed 's/.*load average: //')

# Build both sides: REF from a git archive export, B from the work tree.
mkdir -p "$tmp/A/src" "$tmp/A/bin" "$tmp/B/bin"
git archive --format=tar "$sha_a" | tar -x -C "$tmp/A/src"
build() { # side src
  local side=$1 src=$2 bin=$tmp/$1/bin
  (cd "$src" && go build -buildvcs=false -o "$bin/switchboard" ./cmd/switchboard)
  has engine && (cd "$src" && go test -c -o "$bin/engine.test" ./engine/)
  has routing && (cd "$src" && go test -c -o "$bin/routing.test" ./routing/)
  has report && (cd "$src" && go test -c -o "$bin/report.test" ./report/)
  has sqlite && (cd "$src" && go test -c -o "$bin/sqlite.test" ./sqlite/)
  echo "built $side from $src" >&2
}
build A "$tmp/A/src"
build B "$repo"
go build -o "$tmp/sbload" ./cmd/sbload
go build -o "$tmp/wsload" ./cmd/wsload
srcdir() { if [ "$1" = A ]; then echo "$tmp/A/src"; else echo "$repo"; fi; }

put() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$res"; } # metric side round value
jf() { jq -r ".$2 // empty" <<<"$1"; }                               # json field

start_server() { # side port
  rm -rf "$tmp/data"
  "$tmp/$1/bin/switchboard" serve --addr "127.0.0.1:$2" --data "$tmp/data" --log-level warn >>"$tmp/server.log" 2>&1 &
  server=$!
  pids+=("$server")
}
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

run_http() { # side round
  start_server "$1" "$http_port"
  local out
  out=$("$tmp/sbload" -addr "127.0.0.1:$http_port" -clients 64 -duration "${secs}s" -json 2>>"$tmp/load.log" || true)
  if [ -n "$out" ]; then
    put http_cps "$1" "$2" "$(jf "$out" commands_per_second)"
    put http_p99 "$1" "$2" "$(jf "$out" p99_ms)"
    put http_err "$1" "$2" "$(jf "$out" errors)"
  fi
  local w
  w=$(wrk -t2 -c64 -d"${wrksecs}s" "http://127.0.0.1:$http_port/healthz" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
  [ -n "$w" ] && put wrk_healthz "$1" "$2" "$w"
  stop_server
}

run_trivial() { # round
  "$tmp/sbload" -trivial-server "127.0.0.1:$trivial_port" 2>>"$tmp/load.log" &
  local t=$!
  pids+=("$t")
  local out
  out=$("$tmp/sbload" -addr "127.0.0.1:$trivial_port" -clients 64 -duration "${secs}s" -json 2>>"$tmp/load.log" || true)
  kill "$t" 2>/dev/null || true
  wait "$t" 2>/dev/null || true
  [ -n "$out" ] && put trivial_cps - "$1" "$(jf "$out" commands_per_second)"
  return 0
}

run_ws() { # side round
  start_server "$1" "$ws_port"
  local out
  out=$("$tmp/wsload" -mode latency -addr "127.0.0.1:$ws_port" -rate "$rate" -duration "${secs}s" \
    -sessions 500 -visitors 500 -json 2>>"$tmp/load.log" || true)
  if [ -n "$out" ]; then
    put ws_mps "$1" "$2" "$(jf "$out" messages_per_second)"
    put ws_p50 "$1" "$2" "$(jf "$out" p50_ms)"
    put ws_p99 "$1" "$2" "$(jf "$out" p99_ms)"
    put ws_ping_p99 "$1" "$2" "$(jf "$out" echo_p99_ms)"
  fi
  stop_server
}

peer_secret=bench-compare-$$-$RANDOM
if has peer; then
  [ -x "$centrifugo" ] || { echo "bench-compare: no Centrifugo at $centrifugo" >&2; exit 1; }
  mkdir -p "$tmp/peer"
  centrifugo_config "$tmp/peer/config.json" "$peer_port" "$peer_secret"
fi

run_peer() { # round
  (cd "$tmp/peer" && exec "$centrifugo" -c config.json) >>"$tmp/peer/log" 2>&1 &
  local c=$!
  pids+=("$c")
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$peer_port/" && break
    sleep 0.1
  done
  local out
  out=$("$tmp/wsload" -mode centrifugo -addr "127.0.0.1:$peer_port" -hmac-secret "$peer_secret" -rate "$rate" \
    -duration "${secs}s" -sessions 500 -agents 10 -visitors 500 -json 2>>"$tmp/load.log" || true)
  kill "$c" 2>/dev/null || true
  wait "$c" 2>/dev/null || true
  if [ -n "$out" ]; then
    put peer_mps - "$1" "$(jf "$out" messages_per_second)"
    put peer_p50 - "$1" "$(jf "$out" p50_ms)"
    put peer_p99 - "$1" "$(jf "$out" p99_ms)"
  fi
  return 0
}

gobench() { # side round pkg pattern benchtime unit metric [unit metric …]
  local side=$1 round=$2 pkg=$3 pat=$4 bt=$5
  shift 5
  local out
  out=$(cd "$(srcdir "$side")/$pkg" && SB_REPORT_BENCH_DB="$tmp/$side/report-bench.db" \
    "$tmp/$side/bin/$pkg.test" -test.run '^$' -test.bench "$pat" -test.benchtime "$bt" -test.count 1 2>>"$tmp/load.log" || true)
  while [ $# -ge 2 ]; do
    local unit=$1 metric=$2
    shift 2
    # A metric named name@unit reads that unit from the benchmark whose name starts with name.
    local bname=${metric%%@*} key=${metric#*@}
    awk -v u="$unit" -v b="$bname" '$1 ~ "^"b { for (i = 2; i < NF; i++) if ($(i+1) == u) print $i }' <<<"$out" |
      head -1 | while read -r v; do put "$key" "$side" "$round" "$v"; done
  done
}

run_inprocess() { # side round
  has engine && gobench "$1" "$2" engine 'ExecuteParallel$' "$benchtime" \
    commands/s BenchmarkExecuteParallel@engine_cps
  has routing && gobench "$1" "$2" routing 'Decision$|EnqueueAssign$' "$benchtime" \
    p99-ns BenchmarkDecision@routing_decision_p99 p99-ns BenchmarkEnqueueAssign@routing_enqueue_p99
  has report && gobench "$1" "$2" report 'Derive$' "$benchtime" ns/op BenchmarkDerive@report_derive
  has sqlite && gobench "$1" "$2" sqlite 'Reports/(agent_workload|service_level)/90days$|PutFacts/rebuild$' 20x \
    ns/op BenchmarkReports/agent_workload/90days@sqlite_agent_workload \
    ns/op BenchmarkReports/service_level/90days@sqlite_service_level \
    sessions/s BenchmarkPutFacts/rebuild@sqlite_putfacts
  return 0
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
for r in $(seq "$rounds"); do
  # Alternate the order (A B, B A, …) so that a drift of the machine's load
  # during the sitting does not favour one side.
  order="A B"
  [ $((r % 2)) = 0 ] && order="B A"
  for side in $order; do
    has http && run_http "$side" "$r"
    has ws && run_ws "$side" "$r"
    run_inprocess "$side" "$r"
  done
  has http && run_trivial "$r"
  has peer && run_peer "$r"
  echo "round $r of $rounds done ($(uptime | sed 's/.*load average: //'))" >&2
done

load_after=$(uptime | sed 's/.*load average: //')
echo "load after: $(uptime)"
[ -n "$raw" ] && cp "$res" "$raw"

# Ratios of the same round: HTTP commands to the trivial server, WebSocket
# p99 to the ping p99.
awk -F'\t' '
  { v[$1 SUBSEP $2 SUBSEP $3] = $4; sides[$2]; rounds[$3] }
  END {
    for (r in rounds) for (s in sides) {
      if ((("http_cps" SUBSEP s SUBSEP r) in v) && (("trivial_cps" SUBSEP "-" SUBSEP r) in v) && v["trivial_cps" SUBSEP "-" SUBSEP r] > 0)
        printf "http_vs_trivial\t%s\t%s\t%.4f\n", s, r, 100 * v["http_cps" SUBSEP s SUBSEP r] / v["trivial_cps" SUBSEP "-" SUBSEP r]
      if ((("ws_p99" SUBSEP s SUBSEP r) in v) && (("ws_ping_p99" SUBSEP s SUBSEP r) in v) && v["ws_ping_p99" SUBSEP s SUBSEP r] > 0)
        printf "ws_p99_vs_ping\t%s\t%s\t%.4f\n", s, r, v["ws_p99" SUBSEP s SUBSEP r] / v["ws_ping_p99" SUBSEP s SUBSEP r]
      if ((("ws_p99" SUBSEP s SUBSEP r) in v) && (("peer_p99" SUBSEP "-" SUBSEP r) in v) && v["peer_p99" SUBSEP "-" SUBSEP r] > 0)
        printf "ws_p99_vs_peer\t%s\t%s\t%.4f\n", s, r, v["ws_p99" SUBSEP s SUBSEP r] / v["peer_p99" SUBSEP "-" SUBSEP r]
    }
  }' "$res" >>"$res"

# Medians and spreads per metric and side, then the table.
sort -t$'\t' -k1,1 -k2,2 -k4,4g "$res" | awk -F'\t' '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    printf "%s\t%s\t%s\t%s\t%s\t%d\n", key, side, med, a[1], a[n], n
    n = 0
  }
  { if ($1 != key || $2 != side) { flush(); key = $1; side = $2 } a[++n] = $4 }
  END { flush() }' >"$tmp/summary.tsv"

rows="http_cps|HTTP commands/s, 64 clients|n
http_vs_trivial|  % of sbload on trivial server|pct
http_p99|  p99 ms|f2
http_err|  errors|n
trivial_cps|ceiling: sbload, trivial (1/round)|n
wrk_healthz|ceiling: wrk /healthz req/s|n
ws_mps|WS delivered/s at $rate/s|n
ws_p50|  send->agent p50 ms|f2
ws_p99|  send->agent p99 ms|f2
ws_ping_p99|ceiling: ping->pong p99 ms|f2
ws_p99_vs_ping|  p99 / ping p99 (x)|f2
ws_p99_vs_peer|  p99 / Centrifugo p99 (x)|f2
peer_mps|peer: Centrifugo delivered/s (1/round)|n
peer_p50|peer: Centrifugo p50 ms|f2
peer_p99|peer: Centrifugo p99 ms|f2
engine_cps|engine ExecuteParallel cmd/s|n
routing_decision_p99|routing Decision p99 ns|n
routing_enqueue_p99|routing EnqueueAssign p99 ns|n
report_derive|report Derive ns/op|n
sqlite_agent_workload|sqlite agent_workload 90d ns/op|n
sqlite_service_level|sqlite service_level 90d ns/op|n
sqlite_putfacts|sqlite PutFacts rebuild sess/s|n"

echo
echo "bench-compare  A = $ref ($sha_a)  B = work tree ($sha_b$dirty)"
echo "$started, $rounds rounds (A B, B A, … interleaved), ${secs} s a load run, go benchtime $benchtime, load tools of B"
echo "load average before: $load_before; after: $load_after"
echo "median ±half-range as % of the median; ratios per round, then their median"
printf '%-38s %18s %18s %6s\n' "figure" "A $sha_a" "B $sha_b$dirty" "B/A"
while IFS='|' read -r key label fmt; do
  line_a=$(awk -F'\t' -v k="$key" '$1 == k && ($2 == "A" || $2 == "-")' "$tmp/summary.tsv")
  line_b=$(awk -F'\t' -v k="$key" '$1 == k && ($2 == "B" || $2 == "-")' "$tmp/summary.tsv")
  [ -z "$line_a$line_b" ] && continue
  cell() {
    [ -z "$1" ] && { echo "-"; return; }
    awk -F'\t' -v f="$fmt" '{
      med = $3; sp = (med != 0) ? 50 * ($5 - $4) / med : 0
      if (sp < 0) sp = -sp
      if (f == "pct") m = sprintf("%.1f%%", med); else if (f == "f2") m = sprintf("%.2f", med); else m = sprintf("%.0f", med)
      if (sp > 999) printf "%s ±>999%%", m; else printf "%s ±%.0f%%", m, sp }' <<<"$1"
  }
  ca=$(cell "$line_a") cb=$(cell "$line_b")
  ratio=$(awk -F'\t' -v a="$line_a" -v b="$line_b" 'BEGIN {
    split(a, x, "\t"); split(b, y, "\t")
    if (x[2] == "-" || x[3] == 0 || a == "" || b == "") print ""; else printf "%.2f", y[3] / x[3] }')
  case "$key" in trivial_cps | peer_*) cb="" ratio="" ;; esac
  printf '%-38s %18s %18s %6s\n' "$label" "$ca" "$cb" "$ratio"
done <<<"$rows"
