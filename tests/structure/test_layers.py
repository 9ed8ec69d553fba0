"""Packages in layers: the table in docs/contributing.md is the rule, the source must keep it.

No exemptions: a package imports only what its row allows, no two packages reach each other
(directly or round a circle), and an import inside a function never crosses packages except
where Django wants it (an ``AppConfig.ready`` that registers with a lower layer).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.structure.imports import circles, imports, packages

CONTRIBUTING = Path(__file__).resolve().parents[2] / "docs" / "contributing.md"
ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*?)\|(.*?)\|(.*?)\|\s*$")
NAME = re.compile(r"`([a-z_:]+)`")


def _table() -> dict[str, tuple[int, set[str], bool]]:
    """{package: (layer, may import, coming)} from the layer table."""
    rows: dict[str, tuple[int, set[str], bool]] = {}
    for line in CONTRIBUTING.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        layer, names, holds, allowed = match.groups()
        for name in NAME.findall(names):
            assert name not in rows, f"{name} is in the layer table twice"
            rows[name] = (int(layer), set(NAME.findall(allowed)), "(coming)" in holds)
            if "every package below" in allowed:
                below = {other for other, row in rows.items() if row[0] < int(layer)}
                rows[name] = (int(layer), below, "(coming)" in holds)
    return rows


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for found in imports():
        graph[found.source].add(found.target)
    return graph


def test_every_package_is_in_the_table_and_the_table_is_layered():
    table = _table()
    assert table, "no layer table found in docs/contributing.md"
    missing = packages() - set(table)
    assert not missing, f"packages missing from the layer table: {sorted(missing)}"
    gone = {name for name, (_, _, coming) in table.items() if not coming} - packages()
    assert not gone, f"the layer table names packages that do not exist: {sorted(gone)}"
    for name, (layer, allowed, _) in table.items():
        unknown = allowed - set(table)
        assert not unknown, f"{name} may import unknown packages {sorted(unknown)}"
        upward = {other for other in allowed if table[other][0] > layer}
        assert not upward, f"{name} (layer {layer}) may not import higher layers {upward}"
    assert not circles({name: allowed for name, (_, allowed, _) in table.items()})


def test_packages_import_only_what_the_table_allows():
    table = _table()
    wrong = [
        f"{found.source} -> {found.target}: {found.where()}"
        for found in imports()
        if found.target not in table.get(found.source, (0, set(), False))[1]
    ]
    assert not wrong, "imports the layer table does not allow:\n" + "\n".join(wrong)


def test_no_two_packages_reach_each_other():
    graph = _graph()
    found = circles(graph)
    detail = []
    for group in found:
        members = set(group)
        detail += [
            f"{i.source} -> {i.target}: {i.where()}"
            for i in imports()
            if i.source in members and i.target in members
        ]
    assert not found, f"circles between packages {found}:\n" + "\n".join(detail)


def test_imports_inside_functions_stay_in_their_package():
    """A function-level import of another package is how a cycle hides; only the start-up
    registration of an app (``ready``) may import there, because Django forbids models at
    module level of ``apps.py``."""
    hidden = [
        f"{i.source} -> {i.target}: {i.where()}"
        for i in imports()
        if i.in_function and not (i.in_function == "ready" and i.path.name == "apps.py")
    ]
    assert not hidden, "imports of other packages inside functions:\n" + "\n".join(hidden)


def test_the_reader_finds_a_planted_circle(tmp_path):
    """The graph reader itself: a circle of three is found, a line is not."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}}) == []
