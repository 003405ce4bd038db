#!/usr/bin/env bash
# The shared rate limiter's cost at its default allowance: GET /v1/clients/{id} spread over many
# keys of one organization, through an instance with limits off and one counting every request
# in PostgreSQL at the default 600 a minute per key (claims of 30 hits), alternately, on one
# fresh database. Enough keys that no request is refused (each allows 10 a second). Prints each
# run and the ratio of the medians. Environment: BENCH_KEYS (1200), BENCH_DURATION (15),
# BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_DATABASE_URL, BENCH_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS="${BENCH_KEYS:-1200}"; DURATION="${BENCH_DURATION:-15}"; ROUNDS="${BENCH_ROUNDS:-3}"
CONNS="${BENCH_CONNECTIONS:-16}"
PG_ADMIN="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BIN="${BENCH_BIN:-target/release/clientele}"
DB="clientele_limiter_$$"; TMP="$(mktemp -d)"; PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
url=$(echo "$PG_ADMIN" | sed -E "s#^(postgres(ql)?://[^/]*)(/[^?]*)?#\1/$DB#")
psql "$PG_ADMIN" -qc "CREATE DATABASE $DB" >/dev/null
export CLIENTELE_DATABASE_URL="$url" CLIENTELE_LOG=warn
"$BIN" migrate >/dev/null
org=$("$BIN" orgs create --name Limiter --plan enterprise | jq -r .id)
echo "creating $KEYS keys..." >&2
for _ in $(seq 1 "$KEYS"); do "$BIN" keys create --org "$org" --name k | jq -r .key; done > "$TMP/keys"
start() { # PORT FLAGS...
  local port=$1; shift
  "$BIN" serve --bind "127.0.0.1:$port" --no-migrate --create-rate-limit 0 --mail-dir "$TMP/mail" "$@" \
    > "$TMP/server-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
  echo "server on $port did not start" >&2; exit 1
}
off=$(free_port); start "$off" --rate-limit 0
on=$(free_port); start "$on" --rate-limit 600
first=$(head -n1 "$TMP/keys")
id=$(curl -sf -X POST "http://127.0.0.1:$off/v1/clients" -H "X-API-Key: $first" -H 'Content-Type: application/json' \
  -d '{"name":"Read me","type":"t","subscription_plan":"p"}' | jq -r .data.id)
run() { # PORT
  BENCH_KEYS_FILE="$TMP/keys" wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s -s bench/get.lua \
    "http://127.0.0.1:$1/v1/clients/$id" | awk '/^RESULT/ {print $2, $5}'
}
run "$off" >/dev/null; run "$on" >/dev/null   # warm both
offs=(); ons=()
for r in $(seq 1 "$ROUNDS"); do
  read -r a a_non2xx <<<"$(run "$off")"; read -r b b_non2xx <<<"$(run "$on")"
  echo "round $r: limits off $a req/s (non-2xx $a_non2xx) | shared limiter at 600/min/key $b req/s (non-2xx $b_non2xx)"
  offs+=("$a"); ons+=("$b")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
mo=$(median "${offs[@]}"); mn=$(median "${ons[@]}")
echo "median: limits off $mo req/s, shared limiter $mn req/s: $(awk -v a="$mn" -v b="$mo" 'BEGIN {printf "%.0f%%", 100*a/b}') of it"
echo "rate_limit_windows rows: $(psql "$url" -tAc 'SELECT count(*) FROM rate_limit_windows')"
