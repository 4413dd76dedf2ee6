"""Benchmark: the web app's form validation round trip and the preview of the basic agreement, over HTTP.

    python bench/bench_web.py [--runs 40] [--port 0]

Starts ``assembler serve`` as a real process (waitress, as a user runs it),
loads the new-agreement page once for its session cookie and CSRF token,
then times what the page's script does as the user types:

* validation round trip: POST /new/check with the basic example and one
  field changed, before the first submit (field checks, relevance, guards;
  no preview) - the issue asks for <= 50 ms;
* preview: the same after a submit, so the basic agreement is assembled and
  rendered as HTML - the issue asks for <= 150 ms.

Each figure is the median (and the 90th percentile) of ``--runs`` requests
on one kept-alive connection after three warm-up requests.  Exit 1 when a
median is over its budget.
"""

from __future__ import annotations

import argparse
import http.client
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from assembler.interview.plan import plan_for
from assembler.library.load import load_library
from assembler.library.sources import parse_yaml
from assembler.web.forms import form_data

BASIC = Path(__file__).resolve().parent.parent / "examples" / "basic.yaml"
BUDGETS = {"validation round trip": 50.0, "preview of the basic agreement": 150.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "assembler", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start: " + (server.stderr.read().decode() if server.stderr else ""))


def session(conn: http.client.HTTPConnection) -> tuple[str, str]:
    """Return the session cookie and CSRF token of a fresh page."""
    conn.request("GET", "/new")
    response = conn.getresponse()
    html = response.read().decode("utf-8")
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise SystemExit("the page has no CSRF token")
    return cookie, found.group(1)


def timed(conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str], runs: int) -> list[float]:
    out = []
    for i in range(runs + 3):
        started = time.perf_counter()
        conn.request("POST", "/new/check", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"/new/check answered {response.status}: {payload[:200]!r}")
        if i >= 3:
            out.append(elapsed)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    args = parser.parse_args()
    port = args.port or free_port()
    data = form_data(plan_for(load_library(), "opi-innovation"),
                     parse_yaml(BASIC.read_text(encoding="utf-8"), str(BASIC)).data)
    server = start(port)
    failed = False
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookie, token = session(conn)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "X-CSRF-Token": token,
                   "Origin": f"http://127.0.0.1:{port}"}
        typing = {**data, "private_parties.0.orgnr": "556036-079", "submitted": "0"}
        submitted = {**data, "submitted": "1"}
        cases = {"validation round trip": typing, "preview of the basic agreement": submitted}
        print(f"assembler serve on port {port}; {args.runs} requests each, after 3 warm-up requests")
        for name, form in cases.items():
            times = timed(conn, urllib.parse.urlencode(form).encode(), headers, args.runs)
            median = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            ok = median <= BUDGETS[name]
            failed |= not ok
            print(f"{name:32s} median {median:6.1f} ms   p90 {p90:6.1f} ms   budget {BUDGETS[name]:.0f} ms   "
                  f"{'ok' if ok else 'OVER BUDGET'}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
