# Clientele's everyday commands. `just --list` shows them.

# Run the service on the embedded SQLite default (./clientele.db, 127.0.0.1:8080).
run *ARGS:
    cargo run -p clientele-server -- serve {{ARGS}}

# The whole test suite (SQLite and, when reachable, PostgreSQL): the README's test command.
test *ARGS:
    scripts/test.sh {{ARGS}}

# The same, with cargo-nextest (faster, parallel per test).
nextest:
    cargo nextest run --workspace --run-ignored all

# What CI runs: fmt, clippy, tests (PostgreSQL required).
ci:
    .ci/run

# Formatting and lints.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

fmt:
    cargo fmt --all

# Apply pending migrations to a database (default: ./clientele.db).
migrate *ARGS:
    cargo run -p clientele-server -- migrate {{ARGS}}

# The library example: the crates used without HTTP.
embed:
    cargo run -p clientele-adapters-diesel --example embed

# Benchmarks: release build, SQLite and PostgreSQL, wrk at 1/16/64 connections.
bench *ARGS:
    bench/run.sh {{ARGS}}

# The shared rate limiter's cost at the default allowance (PostgreSQL, many keys).
bench-limiter:
    cargo build --release -p clientele-server
    bench/limiter.sh

# Dependency-direction check: the domain and ports never depend on actix, diesel, r2d2 or tokio.
deps:
    ! cargo tree -p clientele-domain -e normal | grep -E 'actix|diesel|r2d2|tokio'
    ! cargo tree -p clientele-ports -e normal | grep -E 'actix|diesel'

# Lists, reads and creates as one organization grows to 1,000 / 100,000 / 1,000,000 clients, on
# PostgreSQL and SQLite (bulk-loaded), creates spread over 1/16/64 organizations, and the ceilings
# (GET /health, pgbench) in the same run; each issue-9 target PASS/MISS (bench/results/scale.md).
# SCALE_SIZES, SCALE_DURATION (8 s a run); SCALE_SKIP_BUILD=1 uses the existing binary. ~10 minutes.
bench-scale *ARGS:
    [ "${SCALE_SKIP_BUILD:-0}" = 1 ] || cargo build --release -p clientele-server
    python3 bench/scale.py {{ARGS}}

# Hostile load against the release build: a login flood's memory, made-up methods on /metrics, a
# frozen database, slow clients, kill -9 with Idempotency-Key creates in flight, SIGTERM under load.
# Each figure against its goal (bench/results/chaos.md); CHAOS_SKIP_BUILD=1 uses the existing binary.
chaos *ARGS:
    [ "${CHAOS_SKIP_BUILD:-0}" = 1 ] || cargo build --release -p clientele-server
    python3 bench/chaos.py {{ARGS}}

# Fuzz the parsers of untrusted input (cargo-fuzz on the stable toolchain, no sanitizer):
# `just fuzz` runs each target for 600 seconds (`just fuzz 60`: one minute) on the committed
# corpus in fuzz/corpus/, then minimizes it; it stops at the first target that fails.
# `cargo install cargo-fuzz` once.
fuzz seconds="600":
    set -e; cd fuzz; for t in body_to_new_client contact_parsers list_query cursor; do \
      mkdir -p corpus/$t; \
      cargo fuzz run -s none $t corpus/$t -- -max_total_time={{seconds}} -max_len=4096 -timeout=10; \
      cargo fuzz cmin -s none $t corpus/$t; \
    done
