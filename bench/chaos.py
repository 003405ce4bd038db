#!/usr/bin/env python3
"""Clientele under hostile load: each scenario starts the release binary, does something unkind to
it and prints each figure with its goal and PASS/FAIL; a markdown table ends the run (also written
to bench/results/chaos.md, with the servers' logs beside it).

Usage: python3 bench/chaos.py [rss] [metrics] [frozen] [slow] [idempotency] [sigterm]   (default: all)

  rss          memory: 64 concurrent wrong-password logins for 10 s, then 640 sign-ups (32 in flight)
  metrics      100 requests with made-up methods must not grow /metrics
  frozen       PostgreSQL frozen behind a proxy for 15 s: 503s within the pool timeout, then recovery
  slow         50 connections that never finish their body (or head): 408 or closed in time
  idempotency  two instances, one killed (-9) with 64 Idempotency-Key creates in flight; retried on
               the other: every key succeeds, nothing is created twice
  sigterm      SIGTERM with 40 requests in flight on keep-alive connections: every one answered

Environment: CHAOS_BIN (default target/release/clientele), CHAOS_DATABASE_URL (PostgreSQL admin URL,
default postgres://postgres@127.0.0.1:5432/postgres; trust auth, each scenario creates and drops its
own database). Without PostgreSQL its scenarios are skipped (with CI set, a skip fails the run).
Everything listens on 127.0.0.1 and every process started here is stopped, also on Ctrl-C.
Exit code: 0 when every goal passed, 1 otherwise, 2 on bad arguments.
"""
import collections
import contextlib
import datetime
import http.client
import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("CHAOS_BIN", str(ROOT / "target/release/clientele"))
PG_ADMIN = os.environ.get("CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
OUT = ROOT / "bench/results"
HOST = harness.HOST
PASSWORD = "correct horse battery"

ROWS = []  # (scenario, figure, measured, goal, verdict)
FLAGS = {}  # scenario -> the flags its servers got beyond the common ones
DATABASES = []  # every database created, dropped at the end whatever happens


def row(scenario, figure, measured, goal="-", ok=None):
    verdict = {None: "INFO", "SKIP": "SKIP"}.get(ok) or ("PASS" if ok else "FAIL")
    ROWS.append((scenario, figure, str(measured), goal, verdict))
    print(f"[{scenario}] {figure}: {measured}  (goal: {goal})  {verdict}", flush=True)


# ---------------------------------------------------------------- PostgreSQL and the binary


def psql(sql, timeout=30):
    return subprocess.run(["psql", PG_ADMIN, "-qAtc", sql], capture_output=True, text=True, timeout=timeout)


def pg_check():
    """None when PostgreSQL answers at PG_ADMIN, otherwise why not."""
    try:
        r = psql("SELECT 1", timeout=10)
    except FileNotFoundError:
        return "psql is not installed (apt-get install -y postgresql-client)"
    except subprocess.TimeoutExpired:
        return f"{PG_ADMIN} did not answer within 10 s"
    return None if r.returncode == 0 else f"{PG_ADMIN}: {' '.join(r.stderr.split())}"


def pg_url(database, port=None):
    """PG_ADMIN pointing at another database (and, for the proxy, another port)."""
    return harness.pg_url(PG_ADMIN, database, port)


@contextlib.contextmanager
def fresh_database(tag):
    name = f"clientele_chaos_{tag}_{os.getpid()}"
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        r = psql(sql)
        if r.returncode != 0:
            raise RuntimeError(f"psql: {sql}: {r.stderr.strip()}")
    DATABASES.append(name)
    try:
        yield pg_url(name)
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        DATABASES.remove(name)


def admin(url, *args):
    """An administration command (`clientele orgs create ...`): its JSON."""
    return harness.admin(BIN, url, *args, timeout=120)


def organization_key(url):
    """Migrate, create an enterprise organization and a management key for it."""
    admin(url, "migrate")
    org = admin(url, "orgs", "create", "--name", "Chaos", "--plan", "enterprise")["id"]
    return admin(url, "keys", "create", "--org", org, "--name", "chaos")["key"]


class Server(harness.Server):
    """`clientele serve` with the scenario's FLAGS, its output in bench/results/chaos-NAME.log."""

    def __init__(self, name, database_url, flags, tmp):
        super().__init__(BIN, name, [
            "--database-url", database_url, "--mail-dir", str(tmp / f"mail-{name}"),
            "--bootstrap-key-file", str(tmp / f"key-{name}"), *flags], OUT / f"chaos-{name}.log")

    def wait_ready(self, timeout=60):
        return super().wait_ready(timeout)


# ---------------------------------------------------------------- HTTP


Resp = collections.namedtuple("Resp", "status headers body secs error")


def request(port, method, path, body=None, headers=None, timeout=10.0, conn=None):
    """One request (on `conn` when given, kept alive); never raises: `error` says what failed."""
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    own = conn is None
    c = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
    t0 = time.monotonic()
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        secs = time.monotonic() - t0
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data.decode("utf-8", "replace")
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, parsed, secs, None)
    except (OSError, http.client.HTTPException) as e:
        c.close()
        return Resp(None, {}, None, time.monotonic() - t0, type(e).__name__)
    finally:
        if own:
            c.close()


def label(r):
    """A response's status (with its error code when there is one), or the failure."""
    if r.status is None:
        return r.error
    if isinstance(r.body, dict) and r.body.get("code"):
        return f"{r.status} {r.body['code']}"
    return str(r.status)


def tally(labels):
    return ", ".join(f"{k}: {n}" for k, n in sorted(collections.Counter(labels).items())) or "none"


def read_until_close(sock, timeout):
    """Bytes until the peer closes (or `timeout`): (data, seconds to the first byte or close, how)."""
    sock.settimeout(timeout)
    t0, data, first = time.monotonic(), b"", None
    try:
        while True:
            chunk = sock.recv(65536)
            first = first or time.monotonic() - t0
            if not chunk:
                return data, first, "closed"
            data += chunk
    except socket.timeout:
        return data, first, "timeout"
    except OSError as e:
        return data, first or time.monotonic() - t0, type(e).__name__


def status_of(data):
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith("HTTP/") and parts[1].isdigit() else None


def read_response(sock):
    """One HTTP/1.1 response on a kept-alive socket: (status, raw bytes); b"" when closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status_of(data), data


# ---------------------------------------------------------------- memory


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict((k, v.strip()) for k, _, v in (line.partition(":") for line in f))


def memory_mib(pid):
    """VmRSS and VmHWM of a process, in MiB."""
    fields = proc_status(pid)
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def reset_peak(pid):
    with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS


class RssSampler:
    """Samples VmRSS every 100 ms while the `with` block runs; `peak` is the largest sample."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            with contextlib.suppress(OSError, KeyError):
                self.peak = max(self.peak, memory_mib(self.pid)[0])
            self.stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


# ---------------------------------------------------------------- scenarios


def scenario_rss(tmp):
    """Memory under a login flood and a sign-up burst, default argon2 costs (19 MiB per hash)."""
    flags = ["--auth-rate-limit", "0", "--login-rate-limit", "0"]
    FLAGS["rss"] = flags + ["(SQLite, default argon2 costs)"]
    with Server("rss", f"sqlite://{tmp}/rss.db", flags, tmp) as srv:
        r = request(srv.port, "POST", "/api/auth/signup",
                    {"email": "victim@example.com", "password": PASSWORD, "name": "Victim"})
        if r.status != 201:
            raise RuntimeError(f"sign-up: {label(r)} {r.body}")
        time.sleep(1)
        start, _ = memory_mib(srv.pid)
        row("rss", "RSS at start (after one sign-up)", f"{start:.1f} MiB, {proc_status(srv.pid)['Threads']} threads")

        # Phase 1: 64 threads, each looping wrong-password logins on its own keep-alive connection.
        statuses, lock, deadline = collections.Counter(), threading.Lock(), time.monotonic() + 10

        def login_loop():
            conn = http.client.HTTPConnection(HOST, srv.port, timeout=30)
            while time.monotonic() < deadline:
                r = request(srv.port, "POST", "/api/auth/login",
                            {"email": "victim@example.com", "password": "wrong password"}, conn=conn)
                with lock:
                    statuses[label(r)] += 1
                if r.status is None:
                    conn = http.client.HTTPConnection(HOST, srv.port, timeout=30)
            conn.close()

        reset_peak(srv.pid)
        with RssSampler(srv.pid) as sampler:
            threads = [threading.Thread(target=login_loop, daemon=True) for _ in range(64)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        peak = max(sampler.peak, memory_mib(srv.pid)[1])
        row("rss", "logins: 64 concurrent wrong passwords for 10 s, statuses", tally(statuses.elements()))
        row("rss", "logins: peak RSS (sampled / VmHWM)",
            f"{sampler.peak:.1f} / {memory_mib(srv.pid)[1]:.1f} MiB", "≤ 300 MiB", peak <= 300)
        time.sleep(10)
        idle, _ = memory_mib(srv.pid)
        row("rss", "logins: RSS after 10 s idle", f"{idle:.1f} MiB, {proc_status(srv.pid)['Threads']} threads",
            f"≤ start + 64 = {start + 64:.1f} MiB", idle <= start + 64)

        # Phase 2: 640 sign-ups, 32 in flight.
        def signup(i):
            return label(request(srv.port, "POST", "/api/auth/signup", timeout=30,
                                 body={"email": f"burst{i}@example.com", "password": PASSWORD, "name": f"Burst {i}"}))

        reset_peak(srv.pid)
        t0 = time.monotonic()
        with RssSampler(srv.pid) as sampler, ThreadPoolExecutor(32) as pool:
            labels = list(pool.map(signup, range(640)))
        secs = time.monotonic() - t0
        peak = max(sampler.peak, memory_mib(srv.pid)[1])
        row("rss", f"sign-ups: 640, 32 in flight ({secs:.1f} s), statuses", tally(labels))
        row("rss", "sign-ups: peak RSS (sampled / VmHWM)",
            f"{sampler.peak:.1f} / {memory_mib(srv.pid)[1]:.1f} MiB", "≤ 300 MiB", peak <= 300)
        time.sleep(10)
        idle, _ = memory_mib(srv.pid)
        row("rss", "sign-ups: RSS after 10 s idle", f"{idle:.1f} MiB",
            f"≤ start + 64 = {start + 64:.1f} MiB", idle <= start + 64)


def raw_exchange(port, data, timeout=5.0):
    """Send raw bytes on a new connection; the status line's code (or None) and the reply's timing."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(data)
        reply, secs, how = read_until_close(s, timeout)
        return status_of(reply), secs, how


def metrics_lines(port):
    r = request(port, "GET", "/metrics")
    if r.status != 200:
        raise RuntimeError(f"GET /metrics: {label(r)}")
    return len([line for line in r.body.splitlines() if line.strip()])


def scenario_metrics(tmp):
    """Made-up methods must land in the closed label set (method="OTHER", route="<unmatched>")."""
    FLAGS["metrics"] = ["(defaults)"]
    rnd = random.Random(7)

    def junk(n, alphabet=string.ascii_uppercase + string.digits):
        return "".join(rnd.choice(alphabet) for _ in range(n))

    def made_up(port):
        path = "/" + "/".join(junk(rnd.randint(3, 12), string.ascii_lowercase + string.digits)
                              for _ in range(rnd.randint(1, 3)))
        method = junk(rnd.randint(3, 10))
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n"
        return raw_exchange(port, head.encode())[0]

    with fresh_database("metrics") as url, Server("metrics", url, [], tmp) as srv:
        metrics_lines(srv.port)  # GET /metrics's own series
        first = metrics_lines(srv.port)
        made_up(srv.port)  # the one series every made-up method shares
        before = metrics_lines(srv.port)
        statuses = [made_up(srv.port) for _ in range(100)]
        after = metrics_lines(srv.port)
        row("metrics", "first made-up method: new /metrics lines (the shared OTHER series)", before - first)
        row("metrics", "100 more made-up methods on random paths, statuses", tally(map(str, statuses)))
        row("metrics", "/metrics growth over those 100", f"{after - before} lines ({before} → {after})",
            "≤ 10 lines", after - before <= 10)


class FreezableProxy:
    """A TCP proxy to PostgreSQL that can freeze: it stops forwarding in both directions but keeps
    every socket open, as a SIGSTOPped database would (new connections are accepted and left
    waiting too)."""

    def __init__(self, upstream):
        self.upstream, self.closing, self.socks = upstream, False, []
        self.thawed = threading.Event()
        self.thawed.set()
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                if self.closing:
                    return
                continue
            server.settimeout(None)
            self.socks += [client, server]
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(src, dst), daemon=True).start()

    def pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self.thawed.wait()  # frozen: hold the bytes, keep both sockets open
                if self.closing:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def freeze(self):
        self.thawed.clear()

    def thaw(self):
        self.thawed.set()

    def close(self):
        self.closing = True
        self.thawed.set()
        self.listener.close()
        for s in self.socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def scenario_frozen(tmp):
    """PostgreSQL stops answering for 15 s without closing anything."""
    pool_timeout = 2.0
    flags = ["--pool-timeout-ms", str(int(pool_timeout * 1000)), "--rate-limit", "0", "--create-rate-limit", "0"]
    FLAGS["frozen"] = flags + ["(--database-url through the freezing proxy)"]
    upstream = urllib.parse.urlsplit(PG_ADMIN)
    with fresh_database("frozen") as url:
        key = organization_key(url)
        auth = {"X-API-Key": key}
        proxy = FreezableProxy((upstream.hostname or HOST, upstream.port or 5432))
        try:
            proxied = pg_url(urllib.parse.urlsplit(url).path.lstrip("/"), port=proxy.port)
            with Server("frozen", proxied, flags, tmp) as srv:
                for path, headers in (("/v1/clients", auth), ("/ready", {})):
                    r = request(srv.port, "GET", path, headers=headers)
                    if r.status != 200:
                        raise RuntimeError(f"before the freeze, GET {path}: {label(r)}")
                time.sleep(1)  # the pool's connections are idle now, as between real requests
                proxy.freeze()
                frozen_at = time.monotonic()
                probes = {"/v1/clients": [], "/ready": []}

                def probe(path, headers, offset):  # waits at most until just before the thaw
                    timeout = frozen_at + 14.8 - time.monotonic()
                    probes[path].append((offset, request(srv.port, "GET", path, headers=headers, timeout=timeout)))

                threads = []
                for offset in (0.5, 5.0, 9.5):
                    time.sleep(max(0.0, frozen_at + offset - time.monotonic()))
                    for path, headers in (("/v1/clients", auth), ("/ready", {})):
                        threads.append(threading.Thread(target=probe, args=(path, headers, offset), daemon=True))
                        threads[-1].start()
                for t in threads:
                    t.join()
                time.sleep(max(0.0, frozen_at + 15 - time.monotonic()))
                proxy.thaw()
                thawed_at = time.monotonic()
                limit = pool_timeout + 1
                for path, results in probes.items():
                    worst = max(r.secs for _, r in results)
                    ok = all(r.status == 503 for _, r in results) and worst <= limit
                    shown = "; ".join(f"at {offset:g} s: {label(r) if r.status else 'no answer'} after {r.secs:.2f} s"
                                      for offset, r in sorted(results))
                    row("frozen", f"GET {path} during the freeze", shown,
                        f"503 within {limit:.0f} s", ok)
                recovered = None
                while time.monotonic() - thawed_at < 30:
                    r = request(srv.port, "GET", "/v1/clients", headers=auth, timeout=10)
                    if r.status == 200:
                        recovered = time.monotonic() - thawed_at
                        break
                    time.sleep(0.1)
                shown = f"{recovered:.2f} s" if recovered is not None else "not within 30 s"
                row("frozen", "GET /v1/clients 200 again after the thaw", shown, "≤ 5 s",
                    recovered is not None and recovered <= 5)
        finally:
            proxy.close()


def scenario_slow(tmp):
    """Slowloris: connections that start a request and never finish it."""
    timeout = 2.0
    flags = ["--request-timeout-ms", str(int(timeout * 1000)), "--rate-limit", "0", "--create-rate-limit", "0"]
    FLAGS["slow"] = flags
    with fresh_database("slow") as url:
        key = organization_key(url)
        with Server("slow", url, flags, tmp) as srv:
            body_head = (f"POST /v1/clients HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\nX-API-Key: {key}\r\n"
                         "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode()
            partial_head = f"POST /v1/clients HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\n".encode()
            for what, data in (("body: head + 1 of 100 bytes", body_head), ("head: 2 lines, no end", partial_head)):
                health = []

                def check_health():
                    time.sleep(0.5)
                    health.append(request(srv.port, "GET", "/health", timeout=10))

                checker = threading.Thread(target=check_health, daemon=True)
                checker.start()
                with ThreadPoolExecutor(50) as pool:
                    results = list(pool.map(lambda _: raw_exchange(srv.port, data, timeout + 10), range(50)))
                checker.join()
                times = [secs for _, secs, how in results if how != "timeout" and secs is not None]
                worst = max(times) if len(times) == 50 else None
                shown = (f"slowest {worst:.2f} s" if worst is not None
                         else f"{50 - len(times)} of 50 still open after {timeout + 10:.0f} s")
                row("slow", f"50 stalled requests ({what}): answered or closed", shown,
                    f"≤ request timeout + 1 = {timeout + 1:.0f} s", worst is not None and worst <= timeout + 1)
                row("slow", f"  ... of which a 408 status line ({what})",
                    f"{sum(1 for status, _, _ in results if status == 408)} / 50; {tally(str(s) for s, _, _ in results)}")
                h = health[0]
                row("slow", f"  GET /health meanwhile ({what})", f"{label(h)} in {h.secs * 1000:.0f} ms")


def scenario_idempotency(tmp):
    """kill -9 of one instance with creates in flight; the client retries every key on the other."""
    flags = ["--rate-limit", "0", "--create-rate-limit", "0"]
    FLAGS["idempotency"] = flags + ["(two instances, one database)"]
    run = f"{os.getpid()}-{int(time.time())}"
    bodies = [{"name": f"Chaos idempotency {run} #{i}", "type": "chaos", "subscription_plan": "Pro"} for i in range(64)]

    def create(port, i, timeout=10):
        headers = {"X-API-Key": key, "Idempotency-Key": f"chaos-{run}-{i}"}
        return request(port, "POST", "/v1/clients", bodies[i], headers, timeout=timeout)

    with fresh_database("idempotency") as url:
        key = organization_key(url)
        with Server("idempotency-a", url, flags, tmp) as a, Server("idempotency-b", url, flags, tmp) as b:
            first, sent = [None] * 64, [None] * 64
            barrier = threading.Barrier(65)

            def send(i):
                conn = http.client.HTTPConnection(HOST, a.port, timeout=10)
                barrier.wait()
                headers = {"X-API-Key": key, "Idempotency-Key": f"chaos-{run}-{i}",
                           "Content-Type": "application/json"}
                try:
                    conn.request("POST", "/v1/clients", json.dumps(bodies[i]), headers)
                    sent[i] = time.monotonic()
                    first[i] = str(conn.getresponse().status)
                except (OSError, http.client.HTTPException) as e:
                    first[i] = f"{type(e).__name__} ({'reading' if sent[i] else 'writing'})"
                conn.close()

            threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(64)]
            for t in threads:
                t.start()
            barrier.wait()
            time.sleep(0.05)
            os.kill(a.pid, signal.SIGKILL)
            crashed_at = time.monotonic()
            a.proc.wait()
            for t in threads:
                t.join()
            written = sum(1 for t in sent if t is not None and t < crashed_at)
            row("idempotency", "first attempts on A (killed 50 ms in)",
                f"{tally(first)}; {written} / 64 fully written before the kill")
            left = subprocess.run(["psql", url, "-qAtc", "SELECT (SELECT count(*) FROM clients), "
                                   "(SELECT count(*) FROM idempotency_keys WHERE response_status IS NULL), "
                                   "(SELECT count(*) FROM idempotency_keys WHERE response_status IS NOT NULL)"],
                                  capture_output=True, text=True, timeout=30).stdout.strip().split("|")
            if len(left) == 3:
                row("idempotency", "left by A in the database",
                    f"{left[0]} clients, {left[1]} keys in progress, {left[2]} keys with a response")

            first_retry, done_at, final = [None] * 64, [None] * 64, [None] * 64

            def retry(i):
                while time.monotonic() - crashed_at < 30:
                    r = create(b.port, i)
                    first_retry[i] = first_retry[i] or label(r)
                    final[i] = r
                    if r.status in (200, 201):
                        done_at[i] = time.monotonic() - crashed_at
                        return
                    if r.status is not None and r.status != 503 and not label(r).endswith("in_use"):
                        return  # a definite answer other than success: retrying will not change it
                    time.sleep(0.25)

            with ThreadPoolExecutor(64) as pool:
                list(pool.map(retry, range(64)))
            row("idempotency", "first retry on B", tally(first_retry))
            in_use = sum(1 for x in first_retry if x and x.endswith("idempotency_key_in_use"))
            row("idempotency", "  ... of which 409 idempotency_key_in_use", in_use)
            replayed = sum(1 for r in final if r and r.headers.get("idempotent-replayed") == "true")
            succeeded = [t for t in done_at if t is not None]
            row("idempotency", "keys succeeded on B (replayed / created)",
                f"{len(succeeded)} / 64 ({replayed} replayed, {len(succeeded) - replayed} created)")
            if len(succeeded) < 64:
                row("idempotency", "  final answer of the keys that did not succeed",
                    tally(label(r) for r, t in zip(final, done_at) if t is None))
            last = max(succeeded) if succeeded else None
            shown = f"{last:.2f} s" if len(succeeded) == 64 else f"{64 - len(succeeded)} keys never succeeded (30 s)"
            row("idempotency", "seconds from the crash until the last key succeeded", shown, "≤ 15 s",
                len(succeeded) == 64 and last <= 15)

            names, cursor = collections.Counter(), None
            ids = {}
            while True:  # every page, in case the list holds more than one
                path = "/v1/clients?limit=200" + (f"&cursor={cursor}" if cursor else "")
                r = request(b.port, "GET", path, headers={"X-API-Key": key})
                if r.status != 200:
                    raise RuntimeError(f"GET {path}: {label(r)}")
                for c in r.body["data"]:
                    names[c["name"]] += 1
                    ids[c["name"]] = c["id"]
                cursor = r.body["pagination"].get("next_cursor")
                if not cursor:
                    break
            ours = sum(n for name, n in names.items() if run in name)
            dupes = sum(1 for n in names.values() if n > 1)
            row("idempotency", "clients of this run in the list", ours, "64 when every key succeeded")
            row("idempotency", "names appearing more than once", dupes, "0", dupes == 0)
            mismatched = sum(1 for i, r in enumerate(final) if r and r.status in (200, 201)
                             and isinstance(r.body, dict) and r.body["data"]["id"] != ids.get(bodies[i]["name"]))
            row("idempotency", "successful answers naming another id than the listed client", mismatched)


def scenario_sigterm(tmp):
    """SIGTERM 30 ms after 40 requests were written on warm keep-alive connections."""
    flags = ["--rate-limit", "0", "--create-rate-limit", "0", "--auth-rate-limit", "0", "--login-rate-limit", "0"]
    FLAGS["sigterm"] = flags + ["(default --shutdown-timeout 30, default argon2 costs)"]
    with fresh_database("sigterm") as url:
        key = organization_key(url)
        srv = Server("sigterm", url, flags, tmp).wait_ready()
        socks = []
        try:
            for _ in range(40):
                s = socket.create_connection((HOST, srv.port), timeout=10)
                socks.append(s)
                s.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\n\r\n".encode())
                status, _ = read_response(s)
                if status != 200:
                    raise RuntimeError(f"warming a connection: GET /health answered {status}")
            for i, s in enumerate(socks):
                if i < 30:
                    path, headers = "/api/auth/signup", ""
                    body = {"email": f"term{i}@example.com", "password": PASSWORD, "name": f"Term {i}"}
                else:
                    path, headers = "/v1/clients", f"X-API-Key: {key}\r\n"
                    body = {"name": f"Sigterm {i}", "type": "chaos", "subscription_plan": "Pro"}
                data = json.dumps(body).encode()
                s.sendall(f"POST {path} HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\n{headers}"
                          f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
            time.sleep(0.03)
            srv.proc.send_signal(signal.SIGTERM)
            term_at = time.monotonic()
            outcomes = []
            for s in socks:
                s.settimeout(max(0.1, term_at + 40 - time.monotonic()))
                try:
                    status, _ = read_response(s)
                    outcomes.append(str(status) if status else "closed empty")
                except socket.timeout:
                    outcomes.append("no answer (timeout)")
                except OSError as e:
                    outcomes.append(type(e).__name__)
            answered = sum(1 for o in outcomes if o.isdigit())
            row("sigterm", "responses to the 40 in-flight requests", tally(outcomes))
            row("sigterm", "answered (any HTTP status)", f"{answered} / 40", "40 / 40", answered == 40)
            try:
                code = srv.proc.wait(max(1, term_at + 45 - time.monotonic()))
                exited = f"exit {code} after {time.monotonic() - term_at:.2f} s"
            except subprocess.TimeoutExpired:
                code, exited = None, "still running 45 s after SIGTERM"
            row("sigterm", "the process after SIGTERM", exited, "exit 0", code == 0)
        finally:
            for s in socks:
                s.close()
            srv.stop()


SCENARIOS = {  # name: (function, needs PostgreSQL)
    "rss": (scenario_rss, False),
    "metrics": (scenario_metrics, True),
    "frozen": (scenario_frozen, True),
    "slow": (scenario_slow, True),
    "idempotency": (scenario_idempotency, True),
    "sigterm": (scenario_sigterm, True),
}


def table():
    lines = [f"Clientele chaos — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, "
             f"{os.cpu_count()} CPUs, {os.path.relpath(BIN, ROOT)}", "",
             "| scenario | figure | measured | goal | result |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(' '.join(x.replace('|', '/').split()) for x in r)} |" for r in ROWS]
    if FLAGS:
        lines += ["", "Server flags (besides `--bind 127.0.0.1:PORT --database-url URL --mail-dir TMP "
                  "--bootstrap-key-file TMP`):", "", "| scenario | flags |", "|---|---|"]
        lines += [f"| {name} | `{' '.join(flags)}` |" for name, flags in FLAGS.items()]
    return "\n".join(lines) + "\n"


def main(argv):
    names = argv or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"chaos: unknown scenario {', '.join(unknown)} (known: {' '.join(SCENARIOS)})", file=sys.stderr)
        return 2
    if not os.access(BIN, os.X_OK):
        print(f"chaos: {BIN} is missing: cargo build --release -p clientele-server", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    pg_error = pg_check() if any(SCENARIOS[n][1] for n in names) else None
    if pg_error:
        print(f"chaos: PostgreSQL is not reachable, its scenarios are skipped: {pg_error}", file=sys.stderr)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks below
    tmp = tempfile.TemporaryDirectory(prefix="clientele-chaos-")
    try:
        for name in names:
            function, needs_pg = SCENARIOS[name]
            if needs_pg and pg_error:
                row(name, "skipped: PostgreSQL not reachable", pg_error, ok="SKIP")
                continue
            print(f"== {name}", flush=True)
            try:
                function(Path(tmp.name))
            except Exception as e:  # one scenario's failure is reported; the others still run
                traceback.print_exc()
                row(name, "scenario failed", f"{type(e).__name__}: {e}".splitlines()[0], ok=False)
    finally:
        harness.kill_all()
        for name in list(DATABASES):
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        tmp.cleanup()
    text = table()
    print("\n" + text)
    (OUT / "chaos.md").write_text(text)
    failed = any(r[4] == "FAIL" for r in ROWS) or (os.environ.get("CI") and any(r[4] == "SKIP" for r in ROWS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
