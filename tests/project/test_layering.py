"""The folder tree is the architecture: imports point only down the declared order, and never in a circle.

Every module's imports are read, those inside functions included.  A module
may import from its own layer or any layer to its left in ``LAYERS``; an
import to the right is an upward arrow and fails here, as does any cycle
between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "assembler"

# Lowest first.  "base" is every top-level module of the package (errors, model, manifest, _files …).
LAYERS = ("base", "oxml", "readers", "writers", "library", "assembly", "compare", "register",
          "interview", "web", "cli", "api")
# readers and writers are one layer in meaning (formats, each depending only on the model) but may not import
# each other: a reader never asks a writer how it wrote.
SEPARATE = {("readers", "writers"), ("writers", "readers")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if module in ("assembler", "assembler.__main__"):
        return "api"  # the public API and the entry point: nothing in the package imports them
    if len(parts) == 2 and (PACKAGE / f"{parts[1]}.py").exists():
        return "base"
    return parts[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("assembler"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("assembler"):
            base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _is_module(candidate) else base)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: relative import; the package uses absolute imports only")
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_folder_is_a_declared_layer() -> None:
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders - set(LAYERS) == set()


def test_no_import_points_up_the_layers() -> None:
    upward = []
    for module, targets in graph().items():
        here = LAYERS.index(layer_of(module))
        for target in targets:
            there = layer_of(target)
            if LAYERS.index(there) > here or (layer_of(module), there) in SEPARATE:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycle() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt == node or nxt not in edges:
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == []
