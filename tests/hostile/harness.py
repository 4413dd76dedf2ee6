"""Run the real command line on hostile input and judge what happened.

Every case runs ``python -m assembler`` as a subprocess in its own session,
under an address-space limit and a timeout, with HOME, TMPDIR and the cache
folder inside the case's workspace so that anything left behind is seen.
The outcome is one word (see ``Outcome.verdict``); a test asserts it is a
clean error or a safe acceptance.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_LIMIT = 1 << 30          # address space of a case (RLIMIT_AS), ~1 GB
BLOWUP_KB = 500 * 1024          # peak resident memory that counts as a blow-up
TIMEOUT = 10.0                  # seconds before a case counts as a hang
CANARY = "CANARY-7f3e-outside-secret"
MARKER_NAME = "PWNED"           # planted code creates this file when it runs
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
STRACE = "/usr/bin/strace"
CACHE_FOLDERS = ("cache/", "xdg/", "shared-cache/", "home/.cache/")  # a cache may fill these

CLEAN = "clean-error"
SAFE = "safe-accept"
BAD = ("code-exec", "read-outside", "memory", "hang", "traceback", "partial-file", "unsafe-output",
       "wrong-exit", "unplain-message")  # worst first


@dataclass
class Workspace:
    """The folders of one case: work/ (the current folder), outside/ (canaries), cache/, home/, tmp/."""

    root: Path

    def __post_init__(self) -> None:
        for name in ("work", "outside", "cache", "home", "tmp"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        os.chmod(self.cache, 0o700)
        (self.outside / "canary.txt").write_text(CANARY + "\n")

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def marker(self) -> Path:
        return self.root / MARKER_NAME

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSEMBLER_", "PYTEST_"))}
        env.update(HOME=str(self.root / "home"), TMPDIR=str(self.root / "tmp"), NO_COLOR="1",
                   ASSEMBLER_CACHE_DIR=str(self.cache), XDG_CACHE_HOME=str(self.root / "home" / ".cache"),
                   PYTHONDONTWRITEBYTECODE="1", LC_ALL="C.UTF-8")
        env.update(extra)
        return env

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Return every file (not folder) under the workspace but outside/, with its size and mtime.

        Walks with an explicit stack: a case may nest folders deeper than Python's recursion limit.
        """
        out: dict[str, tuple[int, int]] = {}
        stack = [str(self.root)]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                rel = os.path.relpath(entry.path, self.root)
                if rel == "outside":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                out[rel] = (st.st_size, st.st_mtime_ns)
        return out


@dataclass
class Outcome:
    """What one run did, and the verdict on it."""

    args: list[str]
    rc: int | None
    stdout: str
    stderr: str
    timed_out: bool
    maxrss_kb: int
    seconds: float
    opened: list[str] = field(default_factory=list)
    new_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    verdict: str = ""

    def summary(self) -> str:
        tail = self.stderr.strip().splitlines()[-6:]
        return (f"{self.verdict}: rc={self.rc} {self.seconds:.1f}s {self.maxrss_kb // 1024} MB "
                f"problems={self.problems[:5]} new={self.new_files[:5]}\n  stderr: " + "\n  ".join(tail)
                + (f"\n  stdout: {self.stdout[:300]!r}" if self.stdout else ""))


def _limits(fsize: int | None) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if fsize is not None:
            # A full disk: writes past this size fail with EFBIG instead of killing the process.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


def assembler_command(args: Iterable[str]) -> list[str]:
    return [sys.executable, "-m", "assembler", *args]


def run(ws: Workspace, args: list[str], *, env: dict[str, str] | None = None, timeout: float = TIMEOUT,
        trace: bool = False, fsize: int | None = None, stdin: str | None = None,
        during: Callable[[subprocess.Popen[bytes]], None] | None = None,
        strace_extra: tuple[str, ...] = ()) -> Outcome:
    """Run ``assembler ARGS`` in ``ws.work`` and return what happened (verdict not yet set)."""
    cmd = assembler_command(args)
    trace_file = ws.root.parent / f"{ws.root.name}.strace"
    if (trace or strace_extra) and os.path.exists(STRACE):  # without strace the canary checks remain
        cmd = [STRACE, "-f", "-qq", "-o", str(trace_file), "-e", "trace=open,openat,openat2,execve",
               *strace_extra, *cmd]
    out_file = ws.root.parent / f"{ws.root.name}.stdout"
    err_file = ws.root.parent / f"{ws.root.name}.stderr"
    before = ws.snapshot()
    start = time.monotonic()
    with open(out_file, "wb") as out, open(err_file, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ws.work, env=env or ws.env(), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL if stdin is None else open(stdin, "rb"),
                                preexec_fn=_limits(fsize), start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            if during is not None:
                during(proc)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        try:  # nothing of the case may outlive it
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    seconds = time.monotonic() - start
    after = ws.snapshot()
    outcome = Outcome(args, None if timed_out.is_set() else proc.returncode,
                      out_file.read_bytes().decode("utf-8", "backslashreplace"),
                      err_file.read_bytes().decode("utf-8", "backslashreplace"),
                      timed_out.is_set(), usage.ru_maxrss, seconds)
    outcome.new_files = sorted(set(after) - set(before))
    if trace_file.exists():
        outcome.opened = _opened_paths(trace_file.read_text(errors="replace"))
    for f in (out_file, err_file, trace_file):
        f.unlink(missing_ok=True)
    return outcome


_OPEN = re.compile(r'(?:open|openat|openat2)\((?:[A-Z_]+|\d+), "((?:[^"\\]|\\.)*)"')


def _opened_paths(trace: str) -> list[str]:
    return [m.group(1) for m in _OPEN.finditer(trace)]


def judge(ws: Workspace, o: Outcome, *, accept: bool = False, outputs: Iterable[str] = (),
          exits: tuple[int, ...] = (1, 2), secret: str = CANARY, outside: Iterable[Path] = (),
          extra: Callable[[Outcome], list[str]] | None = None, report: bool = False) -> Outcome:
    """Set ``o.verdict``: the worst thing the run did, else clean-error or safe-accept.

    ``accept``: exit 0 is a legitimate answer to this input.  ``outputs``:
    glob patterns (relative to the workspace) of files a successful run may
    write.  ``outside``: paths the run must never open.  ``extra``: a check of
    the case's own (returns problems, each 'verdict: detail').  ``report``:
    the command reports findings on stdout (rebuild's differences), which
    then stand for the error message.
    """
    problems: list[str] = []
    text = o.stdout + o.stderr
    if o.timed_out:
        problems.append("hang: no answer in time")
    if o.maxrss_kb > BLOWUP_KB or "MemoryError" in text:
        problems.append(f"memory: peak {o.maxrss_kb // 1024} MB")
    if "Traceback (most recent call last)" in text:
        problems.append("traceback: " + (o.stderr.strip().splitlines() or ["?"])[-1][:200])
    if ws.marker.exists():
        problems.append("code-exec: planted code ran")
    if secret and secret in text:
        problems.append("read-outside: the secret was printed")
    bad_opens = _outside_opens(o.opened, [Path(p) for p in outside] + [ws.outside])
    if bad_opens:
        problems.append(f"read-outside: opened {bad_opens[:3]}")
    for rel in o.new_files:
        path = ws.root / rel
        if secret and path.is_file() and not path.is_symlink() and _file_contains(path, secret):
            problems.append(f"read-outside: the secret was copied into {rel}")
    allowed = list(outputs) if o.rc == 0 else []
    for rel in o.new_files:
        in_cache = rel.startswith(CACHE_FOLDERS)
        if (in_cache and not rel.endswith(".tmp")) or rel == MARKER_NAME:
            continue
        if not any(Path(rel).match(p) for p in allowed):
            problems.append(f"partial-file: {rel}")
    if extra is not None:
        problems += extra(o)
    if not o.timed_out and o.rc is not None:
        ok_exits = exits + ((0,) if accept else ())
        if o.rc not in ok_exits:
            problems.append(f"wrong-exit: {o.rc}")
        elif o.rc != 0:
            problems += _message_problems(o.stderr, o.stdout if report else "")
    o.problems = problems
    if problems:
        o.verdict = min((p.split(":")[0] for p in problems), key=lambda v: BAD.index(v) if v in BAD else 99)
    else:
        o.verdict = SAFE if o.rc == 0 else CLEAN
    return o


def _message_problems(stderr: str, report: str = "") -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    if report.strip() and not errors:
        stderr, lines, errors = report, report.splitlines(), ["report"]
    if not errors:
        return ["unplain-message: no 'error:' line"]
    if CONTROL.search(stderr.replace("\n", "").replace("\t", "")):
        return ["unsafe-output: a control character reached the terminal"]
    if len(stderr) > 4000 or len(lines) > 30:
        return [f"unplain-message: {len(stderr)} characters, {len(lines)} lines"]
    return []


def _outside_opens(opened: list[str], forbidden: list[Path]) -> list[str]:
    out = []
    for raw in opened:
        p = raw.encode().decode("unicode_escape", "replace") if "\\" in raw else raw
        try:
            resolved = Path(p).resolve()
        except (OSError, RuntimeError):
            continue
        for f in forbidden:
            fr = f.resolve()
            if resolved == fr or fr in resolved.parents:
                out.append(p)
    return out


def _file_contains(path: Path, needle: str) -> bool:
    try:
        if path.stat().st_size > 50_000_000:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if needle.encode() in data:
        return True
    if path.suffix.lower() in (".pdf", ".docx"):
        return needle in extract_text(path)
    return False


def extract_text(path: Path) -> str:
    """Return the text of a built PDF (pypdf) or DOCX (every XML part), for canary checks."""
    import zipfile
    try:
        if path.suffix.lower() == ".pdf":
            from pypdf import PdfReader
            return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    except Exception:  # noqa: BLE001 - an unreadable output simply holds no canary
        return ""


def expect_safe(record: list[Outcome], ws: Workspace, o: Outcome, **judge_kwargs: object) -> None:
    """Judge ``o``, record it, and fail the test unless it is a clean error or a safe acceptance."""
    judge(ws, o, **judge_kwargs)  # type: ignore[arg-type]
    record.append(o)
    assert o.verdict in (CLEAN, SAFE), o.summary()
