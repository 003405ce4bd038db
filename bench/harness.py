"""What the Python bench scripts share (bench/scale.py, bench/chaos.py): free ports, PostgreSQL
URLs, the administration commands, and `clientele serve` processes that are always stopped."""

import http.client
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse

HOST = "127.0.0.1"
PROCS = []  # every process started, killed by kill_all() at the end whatever happens


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pg_url(admin_url, database, port=None):
    """ADMIN_URL pointing at another database (and, for a proxy, another port on HOST)."""
    u = urllib.parse.urlsplit(admin_url)
    netloc = u.netloc
    if port is not None:
        netloc = f"{netloc.rpartition('@')[0]}@{HOST}:{port}" if "@" in netloc else f"{HOST}:{port}"
    return urllib.parse.urlunsplit((u.scheme, netloc, "/" + database, u.query, ""))


def admin(binary, url, *args, timeout=300):
    """An administration command (`clientele orgs create ...`) on URL: its JSON (None when silent)."""
    env = dict(os.environ, CLIENTELE_DATABASE_URL=url, CLIENTELE_LOG="off")
    r = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"clientele {' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout) if r.stdout.strip() else None


def healthy(port):
    c = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        c.request("GET", "/health")
        return c.getresponse().status == 200
    except OSError:
        return False
    finally:
        c.close()


class Server:
    """`BINARY serve --bind HOST:<free port> ARGS...`, its output in LOG_PATH. As a context manager
    it waits until `/health` answers and stops the server on the way out (SIGTERM, then SIGKILL)."""

    def __init__(self, binary, name, args, log_path):
        self.name, self.port = name, free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.args = [binary, "serve", "--bind", f"{HOST}:{self.port}", *args]
        self.log_path = log_path
        self.log = open(log_path, "w")
        # Its own session: a Ctrl-C in the terminal reaches only the script, which stops it.
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        PROCS.append(self.proc)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if healthy(self.port):
                return self
            time.sleep(0.1)
        code = self.stop(timeout=5)
        tail = self.log_path.read_text()[-2000:]
        raise RuntimeError(f"server {self.name} did not start (exit {code}):\n{tail}")

    def stop(self, timeout=40):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self.wait_ready()

    def __exit__(self, exc_type, *_):
        self.stop(timeout=5 if exc_type else 40)  # after an error or Ctrl-C, no graceful wait


def kill_all():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
