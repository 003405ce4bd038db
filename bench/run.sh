#!/usr/bin/env bash
# Clientele's benchmark: release build, the server on SQLite and on PostgreSQL (fresh database),
# wrk at 1, 16 and 64 connections against POST /v1/clients, GET /v1/clients/{id},
# GET /v1/clients?limit=50 and GET /health, with the ceilings to compare with: GET /health on the
# same server (the framework's own cost) and pgbench running the SQL of one create (the
# database's cost). Prints a markdown table; raw output goes to bench/results/.
#
# Usage: bench/run.sh [sqlite] [postgres]        (default: both)
# Environment: BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS ("1 16 64"),
#   BENCH_DATABASE_URL (PostgreSQL admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
#   BENCH_SKIP_BUILD=1 (use the existing binary), BENCH_BIN (another binary, e.g. a debug build
#   to try the script).
# Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-1 16 64}"
PG_ADMIN="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PGBENCH="${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}"
BACKENDS="${*:-sqlite postgres}"
BIN="${BENCH_BIN:-target/release/clientele}"
OUT=bench/results
mkdir -p "$OUT"
TMP="$(mktemp -d)"
SERVER_PID=""
PG_DB=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_DB" ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is required ($2)" >&2; exit 1; }; }
need wrk "apt-get install -y wrk"
need jq "apt-get install -y jq"
need curl "apt-get install -y curl"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== cargo build --release -p clientele-server" >&2
  cargo build --release -p clientele-server >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The database URL for a fresh database NAME on the admin URL's server.
pg_url() { echo "$PG_ADMIN" | sed -E "s#^(postgres(ql)?://[^/]*)(/[^?]*)?#\1/$1#"; }

rss_reset() { echo 5 > "/proc/$SERVER_PID/clear_refs" 2>/dev/null || true; }
rss_peak_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }

ROWS=()
row() { ROWS+=("$1"); }

# run_wrk BACKEND LABEL CONNS CEILING_RPS SCRIPT URL: appends a row, sets LAST_RPS.
LAST_RPS=0
run_wrk() {
  local backend=$1 label=$2 conns=$3 ceiling=$4 script=$5 url=$6
  local threads=$(( conns < 2 ? conns : 2 ))
  rss_reset
  local raw; raw="$OUT/$backend-$(echo "$label" | tr -c 'A-Za-z0-9\n' '_' | tr -s _)-$conns.txt"
  BENCH_RUN="$backend-$$-$conns-$RANDOM" wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s \
    -s "bench/$script" "$url" > "$raw" 2>&1 || true
  local result; result=$(grep '^RESULT' "$raw" | tail -n1)
  [ -n "$result" ] || { echo "bench: wrk failed, see $raw" >&2; exit 1; }
  read -r _ rps p50 p99 non2xx errors <<< "$result"
  local rss; rss=$(rss_peak_mib)
  local ratio="-"
  if [ "$ceiling" != "-" ]; then ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.0f%%", 100*a/b }'); fi
  row "| $backend | $conns | $label | $rps | $p50 | $p99 | $non2xx/$errors | $rss | $ratio |"
  LAST_RPS=$rps
}

bench_backend() {
  local backend=$1 url
  case "$backend" in
    sqlite) url="sqlite://$TMP/bench.db" ;;
    postgres)
      PG_DB="clientele_bench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
      psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null
      url=$(pg_url "$PG_DB") ;;
    *) echo "bench: unknown backend $backend" >&2; exit 1 ;;
  esac
  export CLIENTELE_DATABASE_URL="$url" CLIENTELE_LOG=warn
  "$BIN" migrate >/dev/null
  local org; org=$("$BIN" orgs create --name "Bench $backend" --plan enterprise | jq -r .id)
  local key; key=$("$BIN" keys create --org "$org" --name bench | jq -r .key)
  local port; port=$(free_port)
  "$BIN" serve --bind "127.0.0.1:$port" --create-rate-limit 0 --rate-limit 0 \
    --mail-dir "$TMP/mail" > "$OUT/$backend-server.log" 2>&1 &
  SERVER_PID=$!
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
  curl -sf "$base/health" >/dev/null || { echo "bench: server did not start" >&2; cat "$OUT/$backend-server.log" >&2; exit 1; }

  # Fixtures: one client to read, 60 for the list.
  local id=""
  for i in $(seq 1 60); do
    local created
    created=$(curl -sf -X POST "$base/v1/clients" -H "X-API-Key: $key" -H 'Content-Type: application/json' \
      -d "{\"name\":\"Fixture $i\",\"type\":\"benchmark\",\"subscription_plan\":\"Pro\"}")
    [ -n "$id" ] || id=$(echo "$created" | jq -r .data.id)
  done

  export BENCH_KEY="$key"
  declare -A health
  for c in $CONNECTIONS; do
    BENCH_KEY="" run_wrk "$backend" "GET /health" "$c" - get.lua "$base/health"
    health[$c]=$LAST_RPS
  done
  for c in $CONNECTIONS; do
    run_wrk "$backend" "GET /v1/clients/{id}" "$c" "${health[$c]}" get.lua "$base/v1/clients/$id"
    if [ "$backend" = postgres ]; then
      # The database's own ceiling for the same request: the SQL of one GET by id.
      local served=$LAST_RPS raw="$OUT/pgbench-get-$c.txt" hash
      hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
      "$PGBENCH" -n -M prepared -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$DURATION" \
        -D "hash=$hash" -D "org=$org" -D "id=$id" -f bench/get.pgbench "$url" > "$raw" 2>&1
      local tps lat; tps=$(awk '/^tps = / { print $3 }' "$raw" | tail -n1)
      lat=$(awk '/^latency average/ { print $4 }' "$raw")
      local pct; pct=$(awk -v a="$served" -v b="$tps" 'BEGIN { printf "%.0f%%", 100*a/b }')
      row "| postgres | $c | pgbench: SQL of one GET by id (server: $pct of it) | $tps | avg $lat | - | - | - | ceiling |"
    fi
  done
  if [ "$backend" = postgres ]; then
    # The shared rate limiter's cost: the same GET by id through a second instance that counts
    # every request in PostgreSQL (a limit too high to refuse any), against the run above.
    declare -A by_id
    for c in $CONNECTIONS; do
      run_wrk "$backend" "GET /v1/clients/{id} (limits off)" "$c" - get.lua "$base/v1/clients/$id"
      by_id[$c]=$LAST_RPS
    done
    local lport; lport=$(free_port)
    "$BIN" serve --bind "127.0.0.1:$lport" --create-rate-limit 0 --rate-limit 1000000 --no-migrate \
      --mail-dir "$TMP/mail" > "$OUT/$backend-limited-server.log" 2>&1 &
    local limited_pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$lport/health" >/dev/null && break; sleep 0.1; done
    for c in $CONNECTIONS; do
      run_wrk "$backend" "GET /v1/clients/{id}, shared rate limit counted (vs limits off)" "$c" "${by_id[$c]}" get.lua "http://127.0.0.1:$lport/v1/clients/$id"
    done
    kill -TERM "$limited_pid"; wait "$limited_pid" || true
  fi
  for c in $CONNECTIONS; do
    run_wrk "$backend" "GET /v1/clients?limit=50" "$c" "${health[$c]}" get.lua "$base/v1/clients?limit=50"
  done
  for c in $CONNECTIONS; do
    local ceiling="${health[$c]}" label="POST /v1/clients (vs /health)"
    if [ "$backend" = postgres ]; then
      local raw="$OUT/pgbench-$c.txt"
      "$PGBENCH" -n -M prepared -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$DURATION" -D "org=$org" \
        -f bench/create.pgbench "$url" > "$raw" 2>&1
      ceiling=$(awk '/^tps = / { print $3 }' "$raw" | tail -n1)
      local lat; lat=$(awk '/^latency average/ { print $4 }' "$raw")
      row "| postgres | $c | pgbench: SQL of one create | $ceiling | avg $lat | - | - | - | ceiling |"
      label="POST /v1/clients (vs pgbench)"
    fi
    run_wrk "$backend" "$label" "$c" "$ceiling" create.lua "$base/v1/clients"
  done

  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
  if [ "$backend" = postgres ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null; PG_DB=""
  fi
}

for b in $BACKENDS; do
  echo "== $b" >&2
  bench_backend "$b"
done

{
  echo "Clientele benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, ${DURATION}s per run, wrk and the server on the same machine"
  echo
  echo "| backend | conns | request | req/s | p50 ms | p99 ms | non-2xx/errors | server peak RSS MiB | ratio to ceiling |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/table.md"
