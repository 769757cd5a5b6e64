#!/usr/bin/env python3
"""Replays the attacks of an open sign-in page against a local idaas (loopback only, bounded in
count and time) and prints the figures of ops/adr/0012:

  1. peak resident memory under 100 concurrent wrong-password sign-ins, and the memory 30 s after
     the burst (goal: under 300 MB, back under 100 MB) -- once with the default rate limits and
     once with them switched off, so that the password pool alone is measured;
  2. seconds a slow-header connection survives (goal: at most the header timeout);
  3. events appended per second by unauthenticated traffic from one address (goal: bounded by the
     rate limits);
  4. the solve rate of the naive segment-and-match CAPTCHA solver (ops/abuse/captcha/solve.py) on
     100 freshly rendered images (reported).

Standard library only.  Usage (from the repository root, after `cargo build --release`):

    python3 ops/abuse/attack.py [--binary target/release/idaas] [--seconds 20]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER_TIMEOUT_MS = 10_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """An idaas process on a fresh SQLite data directory."""

    def __init__(self, binary, extra_env):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="idaas-abuse-")
        env = dict(os.environ)
        env.update({
            "IDAAS_LISTEN": f"127.0.0.1:{self.port}",
            "IDAAS_DATA_DIR": self.dir,
            "IDAAS_HEADER_TIMEOUT_MS": str(HEADER_TIMEOUT_MS),
            "RUST_LOG": "warn",
        })
        env.update(extra_env)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start; see " + self.log.name)

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        headers = {}
        for name, value in response.getheaders():
            name = name.lower()
            headers[name] = headers[name] + "\n" + value if name in headers else value
        return response.status, headers, data

    def rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def events(self):
        db = sqlite3.connect(f"file:{self.dir}/idaas.db?mode=ro", uri=True, timeout=10)
        try:
            return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        finally:
            db.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sign_in(server, user):
    """One wrong-password sign-in on the hosted login form; the status."""
    status, headers, page = server.request("GET", "/api/v1/login")
    if status != 200:
        return status
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page)
    cookie = "; ".join(c.split(";")[0] for c in headers.get("set-cookie", "").split("\n") if c)
    form = urllib.parse.urlencode({
        "csrf": csrf.group(1).decode() if csrf else "",
        "username": user,
        "password": "Wrong#Guess1",
    })
    status, _, _ = server.request("POST", "/api/v1/login/form", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
    })
    return status


def memory(binary, seconds, extra_env, label):
    server = Server(binary, extra_env)
    try:
        baseline = server.rss_mb()
        stop = time.time() + seconds
        statuses = {}
        lock = threading.Lock()

        def attacker(n):
            i = 0
            while time.time() < stop:
                try:
                    status = sign_in(server, f"victim{n % 10}-{i}")
                except OSError:
                    status = "io"
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                i += 1

        threads = [threading.Thread(target=attacker, args=(n,)) for n in range(100)]
        for t in threads:
            t.start()
        peak = baseline
        while any(t.is_alive() for t in threads):
            peak = max(peak, server.rss_mb())
            time.sleep(0.1)
        after_burst = server.rss_mb()
        time.sleep(30)
        after = server.rss_mb()
        print(f"  {label}: baseline {baseline:.0f} MB, peak {peak:.0f} MB, at the end of the burst "
              f"{after_burst:.0f} MB, 30 s later {after:.0f} MB; answers {statuses}")
        return peak, after
    finally:
        server.stop()


def slow_header(binary):
    server = Server(binary, {})
    try:
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.time()
        s.settimeout(1)
        while time.time() - started < 120:
            try:
                if not s.recv(1024):
                    break
                # Keep dripping a header line to show that dripping does not help.
            except socket.timeout:
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    break
            except OSError:
                break
        survived = time.time() - started
        s.close()
        print(f"  a slow-header connection (a header line a second) survived {survived:.1f} s "
              f"(header timeout {HEADER_TIMEOUT_MS / 1000:.0f} s)")
        return survived
    finally:
        server.stop()


def event_growth(binary, seconds):
    server = Server(binary, {})
    try:
        before = server.events()
        stop = time.time() + seconds
        counts = {}
        sdk = {"X-operating-sys-version": "Android 10", "X-device-fingerprint": "fp",
               "X-agent": "attack", "X-device-ip": "10.0.0.1"}

        def loop(kind):
            while time.time() < stop:
                if kind == "captcha":
                    status = server.request("GET", "/api/v2/sdk/captcha", headers=sdk)[0]
                else:
                    status = sign_in(server, f"someone{int(time.time() * 1000) % 50}")
                counts[(kind, status)] = counts.get((kind, status), 0) + 1

        threads = [threading.Thread(target=loop, args=(k,)) for k in ["captcha"] * 4 + ["signin"] * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(1)
        grown = server.events() - before
        print(f"  one address for {seconds} s: {grown} events appended ({grown / seconds:.2f}/s); "
              f"answers {counts}")
        return grown / seconds
    finally:
        server.stop()


def captcha_rate():
    samples = tempfile.mkdtemp(prefix="captcha-")
    try:
        built = subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "idaas-usecases", "--example",
             "captcha_samples", "--", samples, "100"],
            cwd=ROOT, capture_output=True, text=True)
        if built.returncode != 0:
            print("  (CAPTCHA samples could not be rendered:", built.stderr.strip()[-300:], ")")
            return None
        solved = subprocess.run(
            [sys.executable, os.path.join(ROOT, "ops/abuse/captcha/solve.py"), samples],
            capture_output=True, text=True)
        print("  naive solver on 100 fresh images:", " ".join(solved.stdout.split()))
        return solved.stdout
    finally:
        shutil.rmtree(samples, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = os.path.join(ROOT, "target/release/idaas")
    parser.add_argument("--binary", default=default)
    parser.add_argument("--seconds", type=int, default=20, help="length of each burst")
    parser.add_argument("--skip-captcha", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit(f"{args.binary} does not exist: cargo build --release first")
    print("1. memory under 100 concurrent wrong-password sign-ins")
    peak_default, after_default = memory(args.binary, args.seconds, {}, "default limits")
    unlimited = {"IDAAS_SIGN_IN_PER_ADDRESS": "0/0", "IDAAS_SIGN_IN_PER_ACCOUNT": "0/0",
                 "IDAAS_ANONYMOUS_PER_ADDRESS": "0/0"}
    peak_open, after_open = memory(args.binary, args.seconds, unlimited, "rate limits off")
    print("2. slow clients")
    survived = slow_header(args.binary)
    print("3. permanent log growth from one unauthenticated address")
    growth = event_growth(args.binary, args.seconds)
    if not args.skip_captcha:
        print("4. CAPTCHA")
        captcha_rate()
    peak = max(peak_default, peak_open)
    after = max(after_default, after_open)
    verdict = {
        "peak_rss_mb": round(peak, 1),
        "rss_30s_after_mb": round(after, 1),
        "slow_header_survived_s": round(survived, 1),
        "events_per_second_one_address": round(growth, 2),
        "goals_met": peak < 300 and after < 100 and survived <= HEADER_TIMEOUT_MS / 1000 + 1,
    }
    print(json.dumps(verdict))
    return 0 if verdict["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
