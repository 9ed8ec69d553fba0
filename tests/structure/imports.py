"""Reading the imports between Balie's packages from the source (for the layer test).

Every module under ``src/balie`` is parsed (migrations too: a migration is code of its
package). An import is attributed to the package it is written in and the package it names:
``balie.<package>…``. ``conf/urls.py``, ``conf/asgi.py`` and ``conf/routing.py`` form the
composition root ``conf:root``; the rest of ``conf`` is configuration. Top-level modules
(``errors.py``, ``cli.py``) are packages of their own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "balie"
ROOT_MODULES = {"urls", "asgi", "routing"}


@dataclass(frozen=True)
class Import:
    source: str  # package that imports
    target: str  # package imported
    path: Path
    line: int
    in_function: str | None  # the enclosing function's name, None at module level

    def where(self) -> str:
        level = f"in {self.in_function}()" if self.in_function else "module level"
        return f"{self.path.relative_to(SRC.parent.parent)}:{self.line} ({level})"


def package_of(parts: list[str]) -> str | None:
    """The package a module path (``["conf", "urls"]``) belongs to."""
    if not parts or not parts[0]:
        return None
    head = parts[0].removesuffix(".py")
    if head == "conf" and len(parts) > 1 and parts[1].removesuffix(".py") in ROOT_MODULES:
        return "conf:root"
    return head


def packages() -> set[str]:
    """Every package (and top-level module) of src/balie."""
    found = {"conf:root"}
    for entry in SRC.iterdir():
        if entry.name.startswith(("_", ".")) or entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            found.add(entry.name)
        elif entry.suffix == ".py":
            found.add(entry.stem)
    return found


def _named(node: ast.Import | ast.ImportFrom, here: list[str]) -> list[list[str]]:
    """The module paths inside balie that an import statement names."""
    if isinstance(node, ast.Import):
        return [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "balie"]
    if node.level == 0:
        parts = (node.module or "").split(".")
        if parts[0] != "balie":
            return []
        if len(parts) > 1:
            return [parts[1:]]
        return [[alias.name] for alias in node.names]
    base = here[: len(here) - node.level + 1]
    return [base + (node.module.split(".") if node.module else [])]


def _functions(tree: ast.AST) -> dict[int, str]:
    """{line of an import inside a function: the function's name}."""
    inside: dict[int, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(fn):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    inside.setdefault(sub.lineno, fn.name)
    return inside


def imports() -> list[Import]:
    """Every import from one package of balie into another."""
    known = packages()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = list(path.relative_to(SRC).parts)
        here = package_of(rel)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = _functions(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for parts in _named(node, rel[:-1]):
                there = package_of(parts)
                if there in known and there != here and here is not None:
                    found.append(Import(here, there, path, node.lineno, functions.get(node.lineno)))
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of packages that reach each other (strongly connected, more than one)."""
    order: list[str] = []
    seen: set[str] = set()

    def forward(start: str) -> None:  # iterative depth-first, finishing order
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        seen.add(start)
        while stack:
            node, rest = stack[-1]
            nxt = next((n for n in rest if n not in seen), None)
            if nxt is None:
                stack.pop()
                order.append(node)
            else:
                seen.add(nxt)
                stack.append((nxt, iter(sorted(graph.get(nxt, ())))))

    nodes = set(graph) | {n for targets in graph.values() for n in targets}
    for node in sorted(nodes):
        if node not in seen:
            forward(node)
    reverse: dict[str, set[str]] = {n: set() for n in nodes}
    for a, targets in graph.items():
        for b in targets:
            reverse[b].add(a)
    groups, assigned = [], set()
    for node in reversed(order):
        if node in assigned:
            continue
        group, todo = set(), [node]
        while todo:
            n = todo.pop()
            if n in assigned:
                continue
            assigned.add(n)
            group.add(n)
            todo.extend(reverse[n] - assigned)
        if len(group) > 1:
            groups.append(sorted(group))
    return groups
