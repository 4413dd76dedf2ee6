"""Benchmark: the web app's form validation round trip and the preview of the basic agreement, over HTTP.

    python bench/bench_web.py [--runs 40] [--port 0]

Starts ``assembler serve`` as a real process (waitress, as a user runs it),
loads the new-agreement page once for its session cookie and CSRF token,
then times what the page's script does as the user types:

* validation round trip: POST /new/check with the basic example and one
  field changed, before the first submit (field checks, relevance, guards;
  no preview) - the issue asks for <= 50 ms;
* preview: the same after a submit, so the basic agreement is assembled and
  rendered as HTML - the issue asks for <= 150 ms;
* preview with appendix uploads: examples/consortium.yaml with its two
  appendix PDFs sent along (as the page's script sends them with every check
  once chosen), checked as the PDF writer checks them - no budget, reported.

Requests are multipart/form-data, as the page's script sends its FormData.

Each figure is the median (and the 90th percentile) of ``--runs`` requests
on one kept-alive connection after three warm-up requests.  Exit 1 when a
median is over its budget.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assembler.interview.plan import plan_for
from assembler.library.load import load_library
from assembler.library.sources import parse_yaml
from assembler.web.forms import form_data

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BASIC = EXAMPLES / "basic.yaml"
CONSORTIUM = EXAMPLES / "consortium.yaml"
UPLOADS = {"upload.appendices.0.file": EXAMPLES / "appendices" / "projektplan-trygg-natt.pdf",
           "upload.appendices.1.file": EXAMPLES / "appendices" / "personuppgiftsbitradesavtal-trygg-natt.pdf"}
BOUNDARY = "assembler-bench-boundary"
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


def multipart(fields: dict[str, str], files: dict[str, Path]) -> bytes:
    """Return a multipart/form-data body with these fields and files, as a browser's FormData posts it."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for k, path in files.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"; filename="{path.name}"\r\n'
                     "Content-Type: application/pdf\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def timed(conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str], runs: int,
          preview: bool) -> list[float]:
    out = []
    for i in range(runs + 3):
        started = time.perf_counter()
        conn.request("POST", "/new/check", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"/new/check answered {response.status}: {payload[:200]!r}")
        if preview and not json.loads(payload).get("preview"):
            raise SystemExit(f"/new/check made no preview: {payload[:300]!r}")
        if i >= 3:
            out.append(elapsed)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    args = parser.parse_args()
    port = args.port or free_port()
    plan = plan_for(load_library(), "opi-innovation")
    data = form_data(plan, parse_yaml(BASIC.read_text(encoding="utf-8"), str(BASIC)).data)
    consortium = form_data(plan, parse_yaml(CONSORTIUM.read_text(encoding="utf-8"), str(CONSORTIUM)).data)
    server = start(port)
    failed = False
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookie, token = session(conn)
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Cookie": cookie,
                   "X-CSRF-Token": token, "Origin": f"http://127.0.0.1:{port}"}
        cases = {"validation round trip": multipart({**data, "private_parties.0.orgnr": "556036-079",
                                                     "submitted": "0"}, {}),
                 "preview of the basic agreement": multipart({**data, "submitted": "1"}, {}),
                 "preview, 2 appendix uploads": multipart({**consortium, "submitted": "1"}, UPLOADS)}
        print(f"assembler serve on port {port}; {args.runs} requests each, after 3 warm-up requests")
        for name, body in cases.items():
            times = timed(conn, body, headers, args.runs, preview=name != "validation round trip")
            median = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            budget = BUDGETS.get(name)
            ok = budget is None or median <= budget
            failed |= not ok
            verdict = "reported" if budget is None else f"budget {budget:.0f} ms   {'ok' if ok else 'OVER BUDGET'}"
            print(f"{name:32s} median {median:6.1f} ms   p90 {p90:6.1f} ms   {verdict}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
