#!/usr/bin/env bash
# A short, seeded Schemathesis run (every check) against both API surfaces of a fresh server, as
# described by its own GET /openapi.json. Exits non-zero when Schemathesis reports any failure.
#
#   pip install schemathesis          # written against 4.32; needs python3 and curl
#   scripts/schemathesis.sh           # uses target/debug/clientele (build it first)
#
# Environment:
#   CLIENTELE_BIN              the binary (default target/debug/clientele)
#   SCHEMATHESIS_SEED          the seed (default 20251129); the same seed and binary give the same run
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 50: about 15 s)
#   SCHEMATHESIS_REPORT_DIR    JUnit reports and the server's log (default target/schemathesis)
#
# What it sets up, in a temporary directory (SQLite, mail as .eml files):
#   - an organization on the enterprise plan and a management API key (admin commands);
#   - a user signed up through POST /api/auth/signup and verified with the token of its email,
#     whose organization is then moved to the enterprise plan: its session can create clients
#     without meeting the free plan's limit of 3.
# The credentials are given to Schemathesis per security scheme ([auth.openapi.*], below), not
# with -H: a header sent on every request would also go with the test cases that leave the
# credential out on purpose, and every "missing credential" case would be reported as accepted.
# All rate limits are off; argon2 is cheap (the run signs up and logs in many times).
#
# Two passes:
#   1. every operation but POST /api/auth/logout, which would end the run's session;
#   2. POST /api/auth/logout alone, with a session of its own.
# DELETE /api/keys/{id} needs no exclusion: the session's organization is not the API key's, so it
# can only revoke keys the run created itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${CLIENTELE_BIN:-target/debug/clientele}"
seed="${SCHEMATHESIS_SEED:-20251129}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
report_dir="${SCHEMATHESIS_REPORT_DIR:-target/schemathesis}"

for tool in schemathesis python3 curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "schemathesis.sh: $tool not found (schemathesis: pip install schemathesis)" >&2
    exit 2
  fi
done
st_version="$(schemathesis --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')"
if [[ "${st_version:-0}" -lt 4 ]]; then
  echo "schemathesis.sh: Schemathesis 4 or later needed ($(schemathesis --version))" >&2
  exit 2
fi
if [[ ! -x "$bin" ]]; then
  echo "schemathesis.sh: no binary at $bin (cargo build, or set CLIENTELE_BIN)" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
mkdir -p "$report_dir"
report_dir="$(cd "$report_dir" && pwd)"

tmp="$(mktemp -d)"
server_pid=""
# shellcheck disable=SC2317  # called by the trap, not unreachable
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -f "$tmp/server.log" ]]; then
    cp "$tmp/server.log" "$report_dir/server.log"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

db="sqlite://$tmp/db"
# `field KEY...` prints a value of the JSON object on stdin (KEY... a path into it).
field() {
  python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}
admin() { "$bin" --database-url "$db" "$@"; }

admin migrate >/dev/null
org="$(admin orgs create --name Schemathesis --plan enterprise | field id)"
api_key="$(admin keys create --org "$org" --name schemathesis | field key)"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$bin" serve --bind "127.0.0.1:$port" --database-url "$db" --mail-dir "$tmp/mail" \
  --rate-limit 0 --create-rate-limit 0 --auth-rate-limit 0 --login-rate-limit 0 \
  --argon2-memory-kib 64 --argon2-iterations 1 --shutdown-timeout 5 \
  >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "$base/health" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis.sh: the server exited; its log:" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS -o /dev/null "$base/health"

# `post PATH BODY` posts JSON, keeps the response headers in $tmp/headers and prints the body;
# fails unless the status is 2xx.
post() {
  curl -fsS -D "$tmp/headers" -X POST -H 'Content-Type: application/json' --data "$2" "$base$1"
}
session_cookie() {
  sed -n 's/^[Ss]et-[Cc]ookie: next-auth\.session-token=\([^;]*\);.*/\1/p' "$tmp/headers"
}
email="schemathesis@example.com"
password="schemathesis-password"
credentials="{\"email\": \"$email\", \"password\": \"$password\"}"

user_org="$(post /api/auth/signup "{\"email\": \"$email\", \"password\": \"$password\", \"name\": \"Schemathesis\"}" \
  | field user organizationId)"
session="$(session_cookie)"
if [[ -z "$session" ]]; then
  echo "schemathesis.sh: the sign-up set no session cookie" >&2
  exit 1
fi
token=""
for _ in $(seq 1 50); do
  token="$(grep -rhoE 'token=[A-Za-z0-9_-]+' "$tmp/mail" 2>/dev/null | head -n 1 | cut -d= -f2 || true)"
  [[ -n "$token" ]] && break
  sleep 0.1
done
if [[ -z "$token" ]]; then
  echo "schemathesis.sh: no verification email in $tmp/mail" >&2
  exit 1
fi
post /api/auth/verify-email "{\"token\": \"$token\"}" >/dev/null
admin orgs set-plan --org "$user_org" --plan enterprise >/dev/null

# The credentials reach the config through the environment; Schemathesis resolves ${...}.
cat >"$tmp/schemathesis.toml" <<'EOF'
[auth.openapi.api_key]
api_key = "${CLIENTELE_ST_API_KEY}"

[auth.openapi.session]
api_key = "${CLIENTELE_ST_SESSION}"

# positive_data_acceptance cannot apply here: a schema-valid token is still not a token the
# server issued, so every generated request is rightly a 400 invalid_token. The other checks stay.
[[operations]]
include-name = "POST /api/auth/verify-email"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 429, "5xx"]

# `cursor` is opaque (only what the server issued decodes) and cannot go with a non-zero
# `offset`; neither is expressible in the document, so generated cursors are rightly 400s.
# An empty cursor counts as absent: every other parameter is still generated and checked.
[[operations]]
include-name = ["GET /v1/clients", "GET /api/clients"]
parameters = { "query.cursor" = "" }
EOF
export CLIENTELE_ST_API_KEY="$api_key" CLIENTELE_ST_SESSION="$session"

st() {
  # Run from the temporary directory: Schemathesis keeps caches in its working directory.
  (cd "$tmp" && schemathesis --config-file "$tmp/schemathesis.toml" run "$base/openapi.json" \
    --checks all --seed "$seed" --max-examples "$max_examples" --generation-database none \
    --report junit "$@")
}

status=0
echo "== Schemathesis: every operation but POST /api/auth/logout (seed $seed, $max_examples examples)"
st --exclude-path /api/auth/logout --report-junit-path "$report_dir/junit.xml" || status=$?

echo "== Schemathesis: POST /api/auth/logout, with a session of its own"
post /api/auth/login "$credentials" >/dev/null
CLIENTELE_ST_SESSION="$(session_cookie)"
st --include-path /api/auth/logout --report-junit-path "$report_dir/junit-logout.xml" || status=$?

echo "Reports and the server's log: $report_dir"
exit "$status"
