#!/usr/bin/env bash
# The whole test suite: `cargo test --workspace`, plus the tests that need a service, which are
# `#[ignore]`d by default so that a plain `cargo test` never counts them as passed:
#   - PostgreSQL tests (names contain `postgres`): included when TEST_DATABASE_URL (default
#     postgres://postgres@127.0.0.1:5432/postgres) answers;
#   - browser tests (names contain `browser`): included when Chromium and ChromeDriver are
#     installed (CHROMIUM, CHROMEDRIVER; default /usr/bin/chromium, /usr/bin/chromedriver).
# With CI set, both are always included: a missing service is a failure, not a skip.
# Extra arguments go to `cargo test` (before `--`).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER:-/usr/bin/chromedriver}"

postgres_answers() {
  # host and port of the URL; pg_isready when installed, else a TCP connect.
  local rest="${pg_url#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"
  local host="${rest%%:*}" port="5432"
  [[ "$rest" == *:* ]] && port="${rest##*:}"
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port"
  else
    timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
  fi
}

skip=()
notes=()
if [[ -z "${CI:-}" ]]; then
  if ! postgres_answers; then
    skip+=(--skip postgres)
    notes+=("skipped: the PostgreSQL tests (PostgreSQL does not answer at ${pg_url%%\?*}); start it or set TEST_DATABASE_URL, then run scripts/test.sh again")
  fi
  if [[ ! -x "$chromium" || ! -x "$chromedriver" ]]; then
    skip+=(--skip browser)
    notes+=("skipped: the browser tests (no $chromium or $chromedriver); install them with 'apt-get install -y chromium chromium-driver', then run scripts/test.sh again")
  fi
fi

status=0
cargo test --workspace "$@" -- --include-ignored "${skip[@]}" || status=$?
for n in "${notes[@]}"; do echo "$n" >&2; done
exit "$status"
