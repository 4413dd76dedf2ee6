"""Instructions per batch agreement, counted by valgrind's callgrind: a figure a busy or drifting machine does not move.

    python bench/bench_instructions.py [--tree PATH] [--format docx] [--agreements 40]

Wall times on a shared two-core machine drift by 15-25 % within minutes, more
than most single changes gain.  This counts the instructions a worker of
``assembler build sheet.csv --base basic.yaml`` executes per agreement: it
builds ``few`` and ``few + agreements`` rows in one process each (library and
base loaded once, as a batch worker does) and prints the difference divided by
``agreements``, so start-up and warm-up cancel out.  ``--tree`` counts another
checkout of the project (for a before/after pair); valgrind must be installed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_WORKER = """
import sys
from pathlib import Path
tree, count, folder, formats = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), tuple(sys.argv[4].split(","))
sys.path.insert(0, str(tree))
import assembler
assert Path(assembler.__file__).resolve().is_relative_to(tree.resolve()), assembler.__file__
from assembler.assembly.batch import BatchOptions, _build_item, _checked, _start_worker, collect_items
options = _checked(BatchOptions(output=folder / "out", formats=formats, as_of="2026-03-01",
                                base=tree / "examples" / "basic.yaml"))
_start_worker(options)
for item in collect_items([folder / "sheet.csv"], base=options.base)[:count]:
    _build_item(item)
"""


def instructions(tree: Path, count: int, folder: Path, formats: str) -> int:
    script = folder / "worker.py"
    script.write_text(_WORKER, encoding="utf-8")
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           str(script), str(tree), str(count), str(folder), formats],
                          capture_output=True, text=True, cwd=folder)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout to count (default: this one)")
    parser.add_argument("--format", default="docx", help="formats to build, as for --format (default: docx)")
    parser.add_argument("--agreements", type=int, default=40)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(REPO / "bench"))
    from bench_scale import write_sheet
    few = 5
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_sheet(folder / "sheet.csv", few + args.agreements)
        low = instructions(args.tree, few, folder, args.format)
        high = instructions(args.tree, few + args.agreements, folder, args.format)
    each = (high - low) / args.agreements
    print(f"{args.tree}: {each / 1e6:.1f} M instructions per batch agreement to {args.format} "
          f"(callgrind; {few} and {few + args.agreements} agreements: {low / 1e9:.2f} / {high / 1e9:.2f} G)")


if __name__ == "__main__":
    main()
