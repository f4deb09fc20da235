"""The import graph of apps/fraudkit, read with ``ast`` (nothing is imported): no module imports itself through
a circle, and what the app images carry is exactly what serving imports, none of it training code.

Every import statement counts, also those inside functions (a lazy import still closes a circle the first time
it runs); only ``if TYPE_CHECKING:`` blocks are skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from image_context import TRAINING_LIBRARIES, context_files

from fraudkit.app_folders import APPS_ROOT, find_app_dirs

PACKAGE = APPS_ROOT / "fraudkit"
SERVING_ENTRIES = ("fraudkit.serving.gunicorn_conf", "fraudkit.serving.healthcheck")
"""What the image runs besides the app's app.py: its gunicorn config and its HEALTHCHECK."""


def module_name(path: Path, root: Path = APPS_ROOT) -> str:
    """``fraudkit/deep/scorer.py`` -> ``fraudkit.deep.scorer``; a package is named by its ``__init__``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def imported_names(path: Path, name: str) -> set[str]:
    """Every dotted name the file imports (``from a import b`` gives ``a.b``, which may be a module or not)."""
    names: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # relative: from the module's package, one level up per extra dot
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names.add(base)
        names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(files: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> the modules of ``files`` it imports, module -> the other top-level packages it imports)."""
    internal: dict[str, set[str]] = {}
    external: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = imported_names(path, name)
        internal[name] = {t for t in targets if t in files and t != name}
        # `from a.b import c` where c is a name, not a module, depends on a.b: keep the longest module prefix.
        for target in targets - set(files):
            prefix = target.rpartition(".")[0]
            if prefix in files and prefix != name:
                internal[name].add(prefix)
        external[name] = {t.split(".")[0] for t in targets} - {"fraudkit"}
    return internal, external


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def reachable(graph: dict[str, set[str]], entries: set[str]) -> set[str]:
    """Every module importing ``entries`` runs, their parent packages included."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen or name not in graph:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:depth]) for depth in range(1, len(parts))]
        todo += graph[name]
    return seen


FILES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH, EXTERNAL = import_graph(FILES)
SHIPPED = {module_name(APPS_ROOT / f) for f in context_files() if f.startswith("fraudkit/") and f.endswith(".py")}


def _app_entries() -> set[str]:
    entries = set(SERVING_ENTRIES)
    for app_dir in find_app_dirs():
        names = imported_names(app_dir / "app.py", "app")
        entries |= {n for n in names if n in FILES} | {n.rpartition(".")[0] for n in names if n not in FILES}
    return entries & set(FILES)


SERVED = reachable(GRAPH, _app_entries())


def test_the_graph_is_read_from_every_module() -> None:
    assert {"fraudkit.scorer", "fraudkit.serving.app_factory", "fraudkit.training.cli"} <= set(FILES)
    assert "fraudkit.scoring" in GRAPH["fraudkit.deep.scorer"] and "torch" in EXTERNAL["fraudkit.training.nets"]


def test_fraudkit_has_no_import_circle() -> None:
    assert cycles(GRAPH) == []


def test_the_images_carry_exactly_what_serving_imports() -> None:
    assert SHIPPED - SERVED == set(), "shipped but never imported by serving: add them to apps/.dockerignore"
    assert SERVED - SHIPPED == set(), "serving imports them but apps/.dockerignore leaves them out"


def test_no_served_module_imports_training_code_or_libraries() -> None:
    offenders = {
        name: sorted((GRAPH[name] - SHIPPED) | (EXTERNAL[name] & TRAINING_LIBRARIES))
        for name in SERVED
        if (GRAPH[name] - SHIPPED) or (EXTERNAL[name] & TRAINING_LIBRARIES)
    }
    assert offenders == {}
    assert not any(name.startswith("fraudkit.training") for name in SERVED | SHIPPED)


def _write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return {module_name(root / rel, root): root / rel for rel in files}


def test_a_lazy_or_relative_import_circle_is_found(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "def f():\n    from . import c\n",
            "pkg/c.py": "import pkg.a\n",
            "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n",
            "pkg/e.py": "from pkg.d import y\n",
        },
    )
    graph, _ = import_graph(files)
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert graph["pkg.d"] == set() and graph["pkg.e"] == {"pkg.d"}
    assert reachable(graph, {"pkg.e"}) == {"pkg", "pkg.d", "pkg.e"}


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("fraudkit/training", "fraudkit/training/cli.py", True),
        ("fraudkit/train.py", "fraudkit/training/cli.py", False),
        ("**/__pycache__", "fraudkit/deep/__pycache__/x.pyc", True),
        ("tests", "fraudkit/tests.py", False),
    ],
)
def test_dockerignore_patterns_match_as_docker_does(pattern: str, path: str, ignored: bool) -> None:
    from image_context import _pattern_regex, is_ignored

    assert is_ignored(path, [(True, _pattern_regex(pattern))]) is ignored
