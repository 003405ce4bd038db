#!/usr/bin/env python3
"""Clientele as an organization grows (issue 9): every figure at N = 1,000, 100,000 and 1,000,000
clients of one organization, the same creates spread over many organizations, and the ceilings to
compare them with, measured in one run. Prints markdown tables (also written to
bench/results/scale.md; raw wrk and pgbench outputs and the EXPLAIN plans beside it).

Usage: python3 bench/scale.py [postgres] [tenants] [sqlite]      (default: all three, in that order)

  postgres  for each N: a fresh database, one organization on `enterprise` with N bulk-loaded
            clients (INSERT ... SELECT FROM generate_series, the secondary indexes rebuilt after
            the load, then VACUUM ANALYZE and CHECKPOINT), `clientele serve`, then wrk against the
            first page, a cursor page at depth N/2 (the cursor built from the database's row at
            offset N/2: crates/domain/src/client/query.rs `Cursor::encode`), an offset page at
            N/2, status=trial, q=client 1234, GET by id and POST; at the largest N also
            GET /health, the EXPLAIN ANALYZE of the list queries and pgbench running the SQL of
            the status and q pages (crates/adapters-diesel/src/repos/clients.rs `list`, with the
            API key lookup) and a one-row SELECT of a client by (organization_id, id)
  tenants   (PostgreSQL) POST /v1/clients spread round-robin over 1, 16 and 64 organizations (one
            key each), and pgbench's plain one-row insert into a table of the clients' shape with
            its unique indexes
  sqlite    the `postgres` rows on SQLite (python's sqlite3 bulk load: one transaction,
            synchronous=OFF, the secondary indexes rebuilt after the load, then ANALYZE)

Then each target of the issue with its measured ratio and PASS/MISS. req/s counts answered (2xx)
requests only; "alone" is the median time of three requests sent one at a time before the run;
after each run the script waits for the machine to be idle (requests still queued in the server
when wrk stops must not run into the next row).

Environment: SCALE_SIZES ("1000 100000 1000000"; the smallest is the base of the ratios),
SCALE_DURATION (seconds per wrk or pgbench run, 8), SCALE_CONNECTIONS (16), SCALE_BIN (default
target/release/clientele), SCALE_DATABASE_URL (PostgreSQL admin URL, default
postgres://postgres@127.0.0.1:5432/postgres; trust auth; every database created here is dropped),
PGBENCH (default /usr/lib/postgresql/15/bin/pgbench). Requires wrk, psql and pgbench.
Everything listens on 127.0.0.1; every process started here is stopped, also on errors and Ctrl-C.
Exit code: 0 when every run completed (a missed target is reported, not an error), 1 when a run
failed, 2 on bad arguments.
"""
import calendar
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("SCALE_BIN", str(ROOT / "target/release/clientele"))
PG_ADMIN = os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PGBENCH = os.environ.get("PGBENCH", "/usr/lib/postgresql/15/bin/pgbench")
SIZES = sorted({int(s) for s in os.environ.get("SCALE_SIZES", "1000 100000 1000000").replace(",", " ").split()})
DURATION = int(os.environ.get("SCALE_DURATION", "8"))
CONNS = int(os.environ.get("SCALE_CONNECTIONS", "16"))
THREADS = min(2, CONNS)
OUT = ROOT / "bench/results"
HOST = harness.HOST
PHASES = ("postgres", "tenants", "sqlite")
TENANTS = (1, 16, 64)
SEARCH = "client 1234"

DATABASES = []  # every PostgreSQL database created, dropped at the end whatever happens
RESULTS = {}  # (backend, request, n) -> wrk figures
TENANT_RESULTS = {}  # organizations -> wrk figures
CEILINGS = {}  # name -> figure (req/s or tps)
EXPLAINS = []  # (label, plan text) at the largest N on PostgreSQL
NOTES = []  # load times and other facts for the report
FAILURES = []

# The requests of the scale table, in order (POST last: its rows must not change the others).
REQUESTS = ("first page", "cursor page at N/2", "offset page at N/2", "status=trial", "q=client 1234",
            "GET /v1/clients/{id}", "POST /v1/clients")
URLS = {
    "first page": "/v1/clients?limit=50",
    "cursor page at N/2": "/v1/clients?limit=50&cursor={cursor}",
    "offset page at N/2": "/v1/clients?limit=50&offset={half}",
    "status=trial": "/v1/clients?limit=50&status=trial",
    "q=client 1234": "/v1/clients?limit=50&q=client%201234",
    "GET /v1/clients/{id}": "/v1/clients/{id}",
    "POST /v1/clients": "/v1/clients",
}

# The clients' columns, as the server writes them (migrations/*/..._clients/up.sql).
COLUMNS = ("organization_id", "id", "created_by", "name", "name_key", "slug", "display_name",
           "display_name_key", "business_type", "subscription_plan", "status", "contact_person",
           "contact_email", "phone_number", "domain", "created_at", "last_active_at", "updated_at")
STATUSES = ("active", "inactive", "trial", "churned", "pending")  # i % 5: a fifth each
TYPES = ("agency", "retail", "saas", "automotive", "health", "legal", "media")
PLANS = ("Basic", "Pro", "Enterprise")
SPAN_US = 2 * 365 * 86400 * 10**6  # the clients' creation times spread over two years


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- PostgreSQL


def pg_url(database):
    return harness.pg_url(PG_ADMIN, database)


def psql(url, sql, timeout=1800):
    """Runs SQL (several statements, stopping at the first error); its unaligned output."""
    r = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                       input=sql, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr.strip()}\nSQL: {sql[:500]}")
    return r.stdout


def pg_rows(url, sql):
    return [line.split("\x1f") for line in psql(url, sql).splitlines() if line]


@contextlib.contextmanager
def fresh_database(tag):
    name = f"clientele_scale_{tag}_{os.getpid()}"
    psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);")
    psql(PG_ADMIN, f"CREATE DATABASE {name};")
    DATABASES.append(name)
    try:
        yield pg_url(name)
    finally:
        with contextlib.suppress(Exception):
            psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);", timeout=120)
        DATABASES.remove(name)


# ---------------------------------------------------------------- the binary


def admin(url, *args):
    """An administration command (`clientele orgs create ...`): its JSON."""
    return harness.admin(BIN, url, *args)


def organization(url, name):
    """An organization on `enterprise` and a key for it: (org id, key)."""
    org = admin(url, "orgs", "create", "--name", name, "--plan", "enterprise")["id"]
    key = admin(url, "keys", "create", "--org", org, "--name", "scale")["key"]
    return org, key


class Server(harness.Server):
    """`clientele serve` without rate limits, its output in bench/results/scale-NAME-server.log."""

    def __init__(self, name, database_url, tmp):
        super().__init__(BIN, name, [
            "--database-url", database_url, "--rate-limit", "0", "--create-rate-limit", "0", "--log", "warn",
            "--mail-dir", str(tmp / "mail"), "--bootstrap-key-file", str(tmp / f"bootstrap-{name}")],
            OUT / f"scale-{name}-server.log")


def request(port, method, path, key=None, body=None, timeout=120):
    """One request: (status, parsed JSON body or None); (None, error) when it could not be sent."""
    headers = {"X-API-Key": key} if key else {}
    if body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        try:
            return r.status, (json.loads(data) if data else None)
        except ValueError:
            return r.status, data.decode("utf-8", "replace")
    except OSError as e:
        return None, type(e).__name__
    finally:
        c.close()


# ---------------------------------------------------------------- load generators


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def wrk(tag, path_url, script, env, duration=DURATION):
    """wrk (THREADS threads, CONNS connections) with a script of bench/: its RESULT figures."""
    raw = OUT / f"scale-{slug(tag)}.txt"
    env = dict(os.environ, BENCH_RUN=f"{os.getpid()}-{random.randrange(10**9)}", **env)
    with open(raw, "w") as f:
        subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNS}", f"-d{duration}s", "--timeout", "10s",
                        "-s", str(ROOT / "bench" / script), path_url],
                       stdout=f, stderr=subprocess.STDOUT, env=env, timeout=duration + 60)
    lines = [line for line in raw.read_text().splitlines() if line.startswith("RESULT")]
    if not lines:
        raise RuntimeError(f"wrk gave no result, see {raw}")
    _, rps, p50, p99, non2xx, errors = lines[-1].split()
    # req/s counts answered requests only (2xx and 3xx): a 503 at the deadline is no answer.
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", raw.read_text())
    total, secs = (int(done[1]), float(done[2]) * {"ms": 1e-3, "s": 1, "m": 60}[done[3]]) if done else (0, 0)
    ok = (total - int(non2xx)) / secs if secs else float(rps)
    settle()
    return {"rps": ok, "p50": float(p50), "p99": float(p99), "non2xx": int(non2xx), "errors": int(errors)}


def cpu_busy():
    """(busy, total) jiffies of the whole machine (/proc/stat)."""
    v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)


def settle(limit=90):
    """Waits until the machine is idle (under 10 % busy over half a second): requests still in
    flight when wrk stopped (a slow list's queue) must not run into the next row."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        b0, t0 = cpu_busy()
        time.sleep(0.5)
        b1, t1 = cpu_busy()
        if t1 > t0 and (b1 - b0) / (t1 - t0) < 0.10:
            return
    log(f"   (the machine was still busy {limit} s after the run)")


def alone(port, method, path, key, body=None, times=3):
    """The median time of one request at a time (ms), after the sanity check's."""
    secs = []
    for _ in range(times):
        t = time.monotonic()
        status, _ = request(port, method, path, key, body() if body else None)
        secs.append((time.monotonic() - t) * 1000)
        if status is None or status >= 400:
            raise RuntimeError(f"{method} {path} alone: {status}")
    return sorted(secs)[len(secs) // 2]


def pgbench(tag, url, script_text, variables, mode="prepared", duration=DURATION):
    """pgbench (CONNS clients) running SCRIPT_TEXT: (tps, average latency in ms)."""
    raw = OUT / f"scale-pgbench-{slug(tag)}.txt"
    script = OUT / f"scale-pgbench-{slug(tag)}.sql"
    script.write_text(script_text)
    args = [PGBENCH, "-n", "-M", mode, "-c", str(CONNS), "-j", str(THREADS), "-T", str(duration)]
    for k, v in variables.items():
        args += ["-D", f"{k}={v}"]
    with open(raw, "w") as f:
        r = subprocess.run([*args, "-f", str(script), url], stdout=f, stderr=subprocess.STDOUT,
                           timeout=duration + 120)
    text = raw.read_text()
    tps = [line.split()[2] for line in text.splitlines() if line.startswith("tps = ")]
    lat = [line.split()[3] for line in text.splitlines() if line.startswith("latency average")]
    if r.returncode != 0 or not tps:
        raise RuntimeError(f"pgbench failed (exit {r.returncode}), see {raw}")
    return float(tps[-1]), float(lat[-1]) if lat else float("nan")


# ---------------------------------------------------------------- bulk loads


def start_instant():
    """The first client's creation time: two years and a day before now, whole seconds, UTC."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
    return now - datetime.timedelta(microseconds=SPAN_US, days=1)


def step_us(n):
    return (SPAN_US // n) | 1  # odd: the creation times do not all fall on whole seconds


def pg_load(url, org, n):
    """N clients of ORG in one INSERT ... SELECT FROM generate_series, the client i created at
    start + i * step (so the newest has the highest i), with a UUIDv7-like id (its first 48 bits
    the creation time in ms), slug counters as the server leaves them, a count of N (shard 0 of client_counts)."""
    indexes = pg_rows(url, """
        SELECT indexname, indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename = 'clients'
           AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'clients'::regclass);""")
    drops = "\n".join(f"DROP INDEX {name};" for name, _ in indexes)
    creates = "\n".join(f"{definition};" for _, definition in indexes)
    arr = lambda xs: "ARRAY[" + ",".join(f"'{x}'" for x in xs) + "]"  # noqa: E731
    started = time.monotonic()
    psql(url, f"""
SET maintenance_work_mem = '512MB';
BEGIN;
{drops}
INSERT INTO clients ({", ".join(COLUMNS)})
SELECT '{org}',
       substr(m, 1, 8) || '-' || substr(m, 9, 4) || '-7' || substr(h, 1, 3) || '-'
         || substr('89ab', i % 4 + 1, 1) || substr(h, 4, 3) || '-' || substr(h, 7, 12),
       NULL, 'Client ' || i, 'client ' || i, 'client-' || i,
       CASE WHEN i % 4 = 0 THEN 'Brand ' || i END, CASE WHEN i % 4 = 0 THEN 'brand ' || i END,
       ({arr(TYPES)})[i % {len(TYPES)} + 1], ({arr(PLANS)})[i % {len(PLANS)} + 1],
       ({arr(STATUSES)})[i % 5 + 1],
       'Person ' || i, 'client' || i || '@example.com', '+15551234567', 'client' || i || '.example.com',
       t, t, t
  FROM (SELECT i, t, md5(i::text) AS h,
               lpad(to_hex(floor(extract(epoch FROM t) * 1000)::bigint), 12, '0') AS m
          FROM (SELECT i, TIMESTAMP '{start_instant():%Y-%m-%d %H:%M:%S}'
                          + (i::bigint * {step_us(n)}) * INTERVAL '1 microsecond' AS t
                  FROM generate_series(1, {n}) AS i) s) g;
INSERT INTO slug_counters (organization_id, base, last)
SELECT '{org}', 'client-' || i, 1 FROM generate_series(1, {n}) AS i;
INSERT INTO client_counts (organization_id, shard, n) VALUES ('{org}', 0, {n});
{creates}
COMMIT;
VACUUM (ANALYZE) clients;
VACUUM (ANALYZE) slug_counters;
ANALYZE organizations;
CHECKPOINT;
""")
    return time.monotonic() - started


def sqlite_timestamp(us):
    """Microseconds since the epoch as diesel writes a Timestamp on SQLite: `YYYY-MM-DD HH:MM:SS`,
    then `.` and the fraction without trailing zeros when it is not whole."""
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    text = dt.strftime("%Y-%m-%d %H:%M:%S")
    return text + "." + f"{dt.microsecond:06d}".rstrip("0") if dt.microsecond else text


def sqlite_load(path, org, n):
    """The same N clients as pg_load, with executemany in one transaction (synchronous=OFF)."""
    started = time.monotonic()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -262144")
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clients'"
                              " AND sql IS NOT NULL").fetchall()
        start = calendar.timegm(start_instant().timetuple()) * 10**6
        step, rng = step_us(n), random.Random(n)

        def rows():
            for i in range(1, n + 1):
                us = start + i * step
                bits = rng.getrandbits(74)
                cid = str(uuid.UUID(int=(us // 1000) << 80 | 7 << 76 | (bits >> 62) << 64 | 2 << 62
                                    | (bits & ((1 << 62) - 1))))
                t = sqlite_timestamp(us)
                brand = f"Brand {i}" if i % 4 == 0 else None
                yield (org, cid, None, f"Client {i}", f"client {i}", f"client-{i}", brand,
                       brand.lower() if brand else None, TYPES[i % len(TYPES)], PLANS[i % len(PLANS)],
                       STATUSES[i % 5], f"Person {i}", f"client{i}@example.com", "+15551234567",
                       f"client{i}.example.com", t, t, t)

        con.execute("BEGIN")
        for name, _ in indexes:
            con.execute(f"DROP INDEX {name}")
        con.executemany(f"INSERT INTO clients ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                        rows())
        con.executemany("INSERT INTO slug_counters (organization_id, base, last) VALUES (?, ?, 1)",
                        ((org, f"client-{i}") for i in range(1, n + 1)))
        con.execute("INSERT INTO client_counts (organization_id, shard, n) VALUES (?, 0, ?)", (org, n))
        for _, sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return time.monotonic() - started


def nanos(text):
    """A stored timestamp (`YYYY-MM-DD HH:MM:SS[.fraction]`, UTC) in ns since the epoch."""
    whole, _, frac = text.replace("T", " ").partition(".")
    secs = calendar.timegm(time.strptime(whole, "%Y-%m-%d %H:%M:%S"))
    return secs * 10**9 + int((frac + "000000000")[:9])


def cursor_after(created_at, cid):
    """crates/domain/src/client/query.rs `Cursor::encode`: hex of `c1.<unix nanos>.<id>`."""
    return f"c1.{nanos(created_at)}.{cid}".encode().hex()


# ---------------------------------------------------------------- the scale rows


LIST_COLUMNS = ", ".join(f'"clients"."{c}"' for c in COLUMNS)
KEY_LOOKUP = ('SELECT "api_keys"."organization_id", "api_keys"."id", "api_keys"."name", "api_keys"."environment", '
              '"api_keys"."prefix", "api_keys"."key_hash", "api_keys"."created_at", "api_keys"."last_used_at", '
              '"api_keys"."revoked_at" FROM "api_keys" WHERE ("api_keys"."key_hash" = :hash);\n')
# The SQL of one list request (crates/adapters-diesel/src/repos/clients.rs `list`), as the
# server sends it (seen with log_statement = all): the API key lookup, then in one transaction the
# page (one row more than asked) and, when the page is not the last one, the total of the matches.
# diesel keeps each as a named prepared statement (`__diesel_stmt_N`), so after five executions
# PostgreSQL may switch it to a generic plan: pgbench runs them with -M prepared too.
LIST_ORDER = 'ORDER BY "clients"."created_at" DESC, "clients"."id" DESC'
STATUS_WHERE = '(("clients"."organization_id" = $1) AND ("clients"."status" = $2))'
Q_WHERE = ('(("clients"."organization_id" = $1) AND (("clients"."name_key" LIKE $2 ESCAPE $3) '
           'OR ("clients"."display_name_key" LIKE $4 ESCAPE $5)))')
# label -> (parameter types, the statement)
SERVER_SQL = {
    "first page": ("text, bigint, bigint",
                   f'SELECT {LIST_COLUMNS} FROM "clients" WHERE ("clients"."organization_id" = $1) '
                   f"{LIST_ORDER} LIMIT $2 OFFSET $3"),
    "cursor page": ("text, timestamp, timestamp, text, bigint, bigint",
                    f'SELECT {LIST_COLUMNS} FROM "clients" WHERE (("clients"."organization_id" = $1) AND '
                    f'(("clients"."created_at" <= $2) AND (("clients"."created_at" < $3) OR ("clients"."id" < $4)))) '
                    f"{LIST_ORDER} LIMIT $5 OFFSET $6"),
    "status page": ("text, text, bigint, bigint",
                    f'SELECT {LIST_COLUMNS} FROM "clients" WHERE {STATUS_WHERE} {LIST_ORDER} LIMIT $3 OFFSET $4'),
    "status total": ("text, text", f'SELECT COUNT(*) FROM "clients" WHERE {STATUS_WHERE}'),
    "q page": ("text, text, text, text, text, bigint, bigint",
               f'SELECT {LIST_COLUMNS} FROM "clients" WHERE {Q_WHERE} {LIST_ORDER} LIMIT $6 OFFSET $7'),
    "q total": ("text, text, text, text, text", f'SELECT COUNT(*) FROM "clients" WHERE {Q_WHERE}'),
}


def pgbench_sql(statement, names):
    """A statement of SERVER_SQL with $1, $2, ... as pgbench variables NAMES[0], NAMES[1], ..."""
    for i in range(len(names), 0, -1):
        statement = statement.replace(f"${i}", f":{names[i - 1]}")
    return statement


def list_sql(kind, counted):
    """pgbench's script for one `status` (kind "status") or `q` (kind "q") request."""
    names = {"status": ["org", "status", "lim", "off"], "q": ["org", "pat", "esc", "pat", "esc", "lim", "off"]}[kind]
    page = pgbench_sql(SERVER_SQL[f"{kind} page"][1], names)
    total = pgbench_sql(SERVER_SQL[f"{kind} total"][1], names[:-2]) + ";\n" if counted else ""
    return f"{KEY_LOOKUP}BEGIN;\n{page};\n{total}COMMIT;\n"


SELECT_SQL = "SELECT * FROM clients WHERE organization_id = :org AND id = :id;\n"
# GET /v1/clients/{id}'s one statement (crates/adapters-diesel/src/repos/accounts.rs
# `find_api_key_and_client`): the key by its hash, left-joined with the client.
GET_SQL = ('SELECT "api_keys".*, "clients".* FROM "api_keys" LEFT OUTER JOIN "clients" ON '
           '(("clients"."organization_id" = "api_keys"."organization_id") AND ("clients"."id" = :id)) '
           'WHERE ("api_keys"."key_hash" = :hash);\n')
PLAIN_INSERT_SQL = f"""INSERT INTO scale_plain_clients ({", ".join(COLUMNS)})
SELECT :org, u, NULL, 'pgbench ' || u, 'pgbench ' || u, 'pgbench-' || u, NULL, NULL, 'benchmark', 'Pro',
       'active', NULL, 'ops@example.com', '+15551234567', NULL, now()::timestamp, now()::timestamp, now()::timestamp
  FROM (SELECT gen_random_uuid()::text AS u) g;
"""


def explain(url, org, n, middle):
    """EXPLAIN (ANALYZE, BUFFERS) of the list statements as the server runs them: prepared, and
    explained at their seventh execution (after five, PostgreSQL may have chosen a generic plan)."""
    (cid, created), _ = middle
    pat, esc = f"%{SEARCH}%", "\\"
    runs = [
        ("first page", "first page", [org, 51, 0]),
        (f"cursor page at depth {n // 2:,}", "cursor page", [org, created, created, cid, 51, 0]),
        (f"offset page at {n // 2:,}", "first page", [org, 51, n // 2]),
        ("status=trial, the page", "status page", [org, "trial", 51, 0]),
        ("status=trial, its total", "status total", [org, "trial"]),
        (f"q={SEARCH}, the page", "q page", [org, pat, esc, pat, esc, 51, 0]),
        (f"q={SEARCH}, its total", "q total", [org, pat, esc, pat, esc]),
    ]
    text = []
    for label, statement, args in runs:
        types, sql = SERVER_SQL[statement]
        values = ", ".join(str(a) if isinstance(a, int) else "'" + a.replace("'", "''") + "'" for a in args)
        plan = psql(url, f"PREPARE s ({types}) AS {sql};\n\\o /dev/null\n"
                    + f"EXECUTE s ({values});\n" * 6 + f"\\o\nEXPLAIN (ANALYZE, BUFFERS) EXECUTE s ({values});\n")
        EXPLAINS.append((label, plan))
        text.append(f"-- {label}\nPREPARE s ({types}) AS {sql};\nEXECUTE s ({values});  -- the 7th\n{plan}")
    (OUT / "scale-explain.txt").write_text("\n".join(text))


def scale_one(backend, n, tmp):
    """One backend at one N: load, serve, a sanity check of every URL, then wrk on each."""
    largest = n == max(SIZES)
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            url = stack.enter_context(fresh_database(f"pg{n}"))
        else:
            path = tmp / f"scale-{n}.db"
            url = f"sqlite://{path}"
            stack.callback(lambda: [p.unlink(missing_ok=True) for p in tmp.glob(f"scale-{n}.db*")])
        admin(url, "migrate")
        org, key = organization(url, f"Scale {n}")
        log(f"== {backend} N={n}: bulk load")
        secs = pg_load(url, org, n) if backend == "postgres" else sqlite_load(str(path), org, n)
        NOTES.append(f"{backend} bulk load of {n:,} clients (with indexes, ANALYZE): {secs:.0f} s")
        log(f"   loaded in {secs:.1f} s")

        # The row at offset N/2 of the newest-first order, and the next one (the cursor page's first).
        sql = (f"SELECT id, created_at FROM clients WHERE organization_id = '{org}' "
               f"ORDER BY created_at DESC, id DESC LIMIT 2 OFFSET {n // 2}")
        if backend == "postgres":
            middle = [tuple(r) for r in pg_rows(url, sql + ";")]
            count = int(pg_rows(url, f"SELECT COALESCE(SUM(n), 0) FROM client_counts WHERE organization_id = '{org}';")[0][0])
        else:
            with contextlib.closing(sqlite3.connect(str(path))) as con:
                middle = [tuple(map(str, r)) for r in con.execute(sql)]
                count = con.execute("SELECT COALESCE(SUM(n), 0) FROM client_counts WHERE organization_id = ?",
                                    (org,)).fetchone()[0]
        if count != n:
            raise RuntimeError(f"the client count is {count}, not {n}")
        (mid_id, mid_created), (next_id, _) = middle
        paths = {r: URLS[r].format(cursor=cursor_after(mid_created, mid_id), half=n // 2, id=mid_id)
                 for r in REQUESTS}

        with Server(f"{backend}-{n}", url, tmp) as server:
            # Every request once, checked: what wrk measures must be what it claims to be.
            status, body = request(server.port, "GET", paths["first page"], key)
            if status != 200 or body["pagination"]["total"] != n or len(body["data"]) != 50:
                raise RuntimeError(f"first page: {status} {str(body)[:300]}")
            status, body = request(server.port, "GET", paths["cursor page at N/2"], key)
            if status != 200 or body["data"][0]["id"] != next_id:
                raise RuntimeError(f"cursor page: {status}, expected {next_id} first: {str(body)[:300]}")
            status, body = request(server.port, "GET", paths["offset page at N/2"], key)
            if status != 200 or body["data"][0]["id"] != mid_id:
                raise RuntimeError(f"offset page: {status}, expected {mid_id} first: {str(body)[:300]}")
            status, body = request(server.port, "GET", paths["status=trial"], key)
            if status != 200 or body["pagination"]["total"] != (n - 2) // 5 + 1:
                raise RuntimeError(f"status=trial: {status} {str(body)[:300]}")
            status, body = request(server.port, "GET", paths["q=client 1234"], key)
            if status != 200 or (n >= 1234 and not body["data"]):
                raise RuntimeError(f"q: {status} {str(body)[:300]}")
            status, body = request(server.port, "GET", paths["GET /v1/clients/{id}"], key)
            if status != 200:
                raise RuntimeError(f"GET by id: {status} {str(body)[:300]}")
            status, body = request(server.port, "POST", paths["POST /v1/clients"], key,
                                   {"name": "Scale check", "type": "benchmark", "subscription_plan": "Pro"})
            if status != 201:
                raise RuntimeError(f"POST: {status} {str(body)[:300]}")

            env = {"BENCH_KEY": key}
            wrk(f"{backend}-{n}-warmup", server.base + paths["first page"], "get.lua", env, duration=2)
            if largest and backend == "postgres":
                log(f"   GET /health")
                CEILINGS["GET /health"] = wrk(f"{backend}-{n}-health", server.base + "/health", "get.lua", {})["rps"]
            for r in REQUESTS:
                if r == "POST /v1/clients" and largest and backend == "postgres":
                    # The database's own figures before the creates add rows.
                    log("   EXPLAIN ANALYZE of the list queries; pgbench: status page, q page, SELECT by id")
                    explain(url, org, n, middle)
                    v = {"org": org, "hash": hashlib.sha256(key.encode()).hexdigest(), "lim": 51, "off": 0}
                    # The server counts the matches only when there are more than a page of them.
                    trials = (n - 2) // 5 + 1
                    found = int(pg_rows(url, f"SELECT COUNT(*) FROM clients WHERE organization_id = '{org}' AND "
                                        f"(name_key LIKE '%{SEARCH}%' OR display_name_key LIKE '%{SEARCH}%');")[0][0])
                    NOTES.append(f"at N = {n:,}: `status=trial` matches {trials:,} clients, `q={SEARCH}` {found:,}"
                                 " (a page's total is counted when the matches exceed the page)")
                    CEILINGS["pgbench status"] = pgbench(f"status-{n}", url, list_sql("status", trials > 50),
                                                         {**v, "status": "trial"})
                    CEILINGS["pgbench q"] = pgbench(f"q-{n}", url, list_sql("q", found > 50),
                                                    {**v, "pat": f"%{SEARCH}%", "esc": "\\"})
                    CEILINGS["pgbench select"] = pgbench(f"select-{n}", url, SELECT_SQL, {"org": org, "id": mid_id})
                    CEILINGS["pgbench get sql"] = pgbench(f"get-sql-{n}", url, GET_SQL,
                                                          {"hash": v["hash"], "id": mid_id})
                post = r.startswith("POST")
                one = alone(server.port, "POST" if post else "GET", paths[r], key,
                            (lambda: {"name": f"Alone {random.randrange(10**12)}", "type": "benchmark",
                                      "subscription_plan": "Pro"}) if post else None)
                res = wrk(f"{backend}-{n}-{r}", server.base + paths[r], "create.lua" if post else "get.lua", env)
                res["alone"] = one
                RESULTS[(backend, r, n)] = res
                bad = res["non2xx"] + res["errors"]
                log(f"   {r}: alone {one:.1f} ms; {res['rps']:.1f} req/s, p50 {res['p50']:.2f} ms, p99 {res['p99']:.2f} ms"
                    + (f", {res['non2xx']} non-2xx, {res['errors']} socket errors" if bad else ""))


def tenants(tmp):
    with fresh_database("tenants") as url:
        admin(url, "migrate")
        log(f"== tenants: {max(TENANTS)} organizations")
        orgs = [organization(url, f"Tenant {i}") for i in range(max(TENANTS))]
        with Server("tenants", url, tmp) as server:
            status, body = request(server.port, "POST", "/v1/clients", orgs[0][1],
                                   {"name": "Tenant check", "type": "benchmark", "subscription_plan": "Pro"})
            if status != 201:
                raise RuntimeError(f"POST: {status} {str(body)[:300]}")
            for k in TENANTS:
                keys = tmp / f"keys-{k}"
                keys.write_text("".join(key + "\n" for _, key in orgs[:k]))
                res = wrk(f"tenants-{k}", server.base + "/v1/clients", "create.lua", {"BENCH_KEYS_FILE": str(keys)})
                TENANT_RESULTS[k] = res
                log(f"   {k} organizations: {res['rps']:.1f} creates/s, p99 {res['p99']:.1f} ms")
        # The database's ceiling for a create: a plain one-row insert (autocommit) into a table of
        # the clients' shape with their unique indexes, in the same database.
        psql(url, """
CREATE TABLE scale_plain_clients (LIKE clients INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE scale_plain_clients ADD PRIMARY KEY (organization_id, id);
CREATE UNIQUE INDEX ON scale_plain_clients (organization_id, name_key);
CREATE UNIQUE INDEX ON scale_plain_clients (organization_id, slug);
""")
        log("   pgbench: plain one-row insert")
        CEILINGS["pgbench insert"] = pgbench("plain-insert", url, PLAIN_INSERT_SQL, {"org": orgs[0][0]})
        log("   pgbench: the create's own statement (bench/create.pgbench), one organization")
        CEILINGS["pgbench create"] = pgbench("create-sql", url, (ROOT / "bench" / "create.pgbench").read_text(),
                                             {"org": orgs[0][0]})


# ---------------------------------------------------------------- the report


def fmt(x, digits=1):
    return f"{x:,.{digits}f}"


def ratio(a, b):
    return a / b if b else float("nan")


def report(started, phases):
    base, top = min(SIZES), max(SIZES)
    lines = [f"Clientele at scale — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{os.cpu_count()} CPUs, wrk {CONNS} connections ({THREADS} threads) and pgbench {CONNS} clients, "
             f"{DURATION} s per run, the load generators, the server and the database on the same machine; "
             f"ratios (×) to the same request at N = {base:,}; req/s counts 2xx answers only; alone: the median of "
             f"three requests one at a time; run took {(time.monotonic() - started) / 60:.1f} min", ""]
    if RESULTS:
        lines += ["| backend | request | N | alone ms | req/s | × | p50 ms | × | p99 ms | × | non-2xx/errors |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for backend in ("postgres", "sqlite"):
            for r in REQUESTS:
                b = RESULTS.get((backend, r, base))
                for n in SIZES:
                    x = RESULTS.get((backend, r, n))
                    if not x:
                        continue
                    rel = (lambda k: f"{ratio(x[k], b[k]):.2f}") if b else (lambda k: "-")
                    label = r.replace("N/2", f"{n // 2:,}")
                    lines.append(f"| {backend} | `{label}` | {n:,} | {x['alone']:.2f} | {fmt(x['rps'])} | {rel('rps')} | "
                                 f"{x['p50']:.2f} | {rel('p50')} | {x['p99']:.2f} | {rel('p99')} | "
                                 f"{x['non2xx']}/{x['errors']} |")
        lines.append("")
    if TENANT_RESULTS:
        ins = CEILINGS.get("pgbench insert", (0, 0))[0]
        lines += ["| POST /v1/clients over | req/s | p50 ms | p99 ms | non-2xx/errors | × pgbench plain insert |",
                  "|---|---:|---:|---:|---:|---:|"]
        for k, x in TENANT_RESULTS.items():
            lines.append(f"| {k} organization{'s' if k > 1 else ''} | {fmt(x['rps'])} | {x['p50']:.2f} | "
                         f"{x['p99']:.2f} | {x['non2xx']}/{x['errors']} | {ratio(x['rps'], ins):.2f} |")
        lines.append("")
    if CEILINGS:
        lines += ["| ceiling (PostgreSQL) | req/s or tps | avg latency ms |", "|---|---:|---:|"]
        names = {"GET /health": "`GET /health` (wrk)",
                 "pgbench insert": "pgbench: plain one-row insert, table of the clients' shape, its unique indexes",
                 "pgbench create": "pgbench: the create's own statement (bench/create.pgbench), one organization",
                 "pgbench select": f"pgbench: one-row SELECT of a client by (organization_id, id), N = {top:,}",
                 "pgbench get sql": f"pgbench: the statement of `GET /v1/clients/{{id}}` (key joined with client), N = {top:,}",
                 "pgbench status": f"pgbench: the SQL of `status=trial` (key lookup, page, count when > a page), N = {top:,}",
                 "pgbench q": f"pgbench: the SQL of `q={SEARCH}` (key lookup, page, count when > a page), N = {top:,}"}
        for name, label in names.items():
            if name in CEILINGS:
                v = CEILINGS[name]
                tps, lat = (v, None) if isinstance(v, float) else v
                lines.append(f"| {label} | {fmt(tps)} | {'-' if lat is None else f'{lat:.3f}'} |")
        lines.append("")
    lines += ["| target (issue 9) | measured | goal | verdict |", "|---|---:|---:|---|"]

    def target(label, value, goal):
        if value is None or value != value:
            lines.append(f"| {label} | not measured | ≥ {goal} | - |")
            return
        verdict = "PASS" if value >= goal else "MISS"
        lines.append(f"| {label} | {value:.2f} | ≥ {goal} | {verdict} |")
        log(f"target: {label}: {value:.2f} (goal ≥ {goal}) {verdict}")

    def rel(backend, r):
        a, b = RESULTS.get((backend, r, top)), RESULTS.get((backend, r, base))
        return ratio(a["rps"], b["rps"]) if a and b and top != base else None

    def vs(r, ceiling, source=None):
        a = source if source is not None else RESULTS.get(("postgres", r, top))
        c = CEILINGS.get(ceiling)
        return ratio(a["rps"], c[0]) if a and c else None

    t = f"{top:,}"
    target(f"PG first page, N = {t} ÷ N = {base:,}", rel("postgres", "first page"), 0.8)
    target(f"PG cursor page at depth {top // 2:,}, N = {t} ÷ N = {base:,} (depth {base // 2:,})",
           rel("postgres", "cursor page at N/2"), 0.8)
    target(f"PG `status=trial` at N = {t} ÷ pgbench running its SQL", vs("status=trial", "pgbench status"), 0.7)
    target(f"PG `q={SEARCH}` at N = {t} ÷ pgbench running its SQL", vs("q=client 1234", "pgbench q"), 0.7)
    target(f"PG `GET /v1/clients/{{id}}` (N = {t}) ÷ pgbench one-row SELECT", vs("GET /v1/clients/{id}", "pgbench select"), 0.5)
    target("PG `POST /v1/clients`, one enterprise organization ÷ pgbench plain insert",
           vs(None, "pgbench insert", TENANT_RESULTS.get(1)), 0.3)
    target(f"PG `POST /v1/clients` spread over {max(TENANTS)} organizations ÷ pgbench plain insert",
           vs(None, "pgbench insert", TENANT_RESULTS.get(max(TENANTS))), 0.3)
    for label, value in [
            (f"PG `GET /v1/clients/{{id}}` ÷ pgbench running its statement",
             vs("GET /v1/clients/{id}", "pgbench get sql")),
            ("PG `POST /v1/clients`, one organization ÷ pgbench running its statement",
             vs(None, "pgbench create", TENANT_RESULTS.get(1))),
            ("pgbench: the create's statement ÷ plain insert",
             ratio(CEILINGS["pgbench create"][0], CEILINGS["pgbench insert"][0])
             if "pgbench create" in CEILINGS and "pgbench insert" in CEILINGS else None)]:
        if value is not None:
            lines.append(f"| (for reference) {label} | {value:.2f} | - | - |")
    target(f"SQLite first page, N = {t} ÷ N = {base:,}", rel("sqlite", "first page"), 0.5)
    target(f"SQLite cursor page at depth {top // 2:,}, N = {t} ÷ N = {base:,}", rel("sqlite", "cursor page at N/2"), 0.5)
    target(f"SQLite `q={SEARCH}`, N = {t} ÷ N = {base:,}", rel("sqlite", "q=client 1234"), 0.5)
    lines.append("")
    if EXPLAINS:
        lines += [f"EXPLAIN ANALYZE at N = {t} (PostgreSQL; full plans in bench/results/scale-explain.txt):", "", "```"]
        for label, plan in EXPLAINS:
            plan_lines = plan.splitlines()
            key = [p for p in plan_lines if "Scan" in p or "Limit" in p or "Aggregate" in p][:4]
            exe = [p for p in plan_lines if p.startswith("Execution Time")]
            lines.append(f"-- {label}: {exe[0].split(': ')[1] if exe else '?'}")
            lines += [k.rstrip() for k in key]
        lines += ["```", ""]
    if NOTES:
        lines += [f"- {n}" for n in NOTES] + [""]
    if FAILURES:
        lines += ["Failed:"] + [f"- {f}" for f in FAILURES] + [""]
    return "\n".join(lines)


def main(argv):
    phases = argv or list(PHASES)
    unknown = [p for p in phases if p not in PHASES]
    if unknown:
        print(f"scale: unknown part {', '.join(unknown)} (known: {' '.join(PHASES)})", file=sys.stderr)
        return 2
    if not os.access(BIN, os.X_OK):
        print(f"scale: {BIN} is missing: cargo build --release -p clientele-server", file=sys.stderr)
        return 2
    for tool in ("wrk", "psql", PGBENCH):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            print(f"scale: {tool} is required", file=sys.stderr)
            return 2
    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks below
    started = time.monotonic()
    tmp = tempfile.TemporaryDirectory(prefix="clientele-scale-")
    try:
        for phase in phases:
            try:
                if phase == "tenants":
                    tenants(Path(tmp.name))
                else:
                    for n in SIZES:
                        scale_one(phase, n, Path(tmp.name))
            except Exception as e:  # one part's failure is reported; the others still run
                traceback.print_exc()
                FAILURES.append(f"{phase}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    finally:
        harness.kill_all()
        for name in list(DATABASES):
            with contextlib.suppress(Exception):
                psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);", timeout=120)
        tmp.cleanup()
    text = report(started, phases)
    print("\n" + text)
    (OUT / "scale.md").write_text(text + "\n")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
