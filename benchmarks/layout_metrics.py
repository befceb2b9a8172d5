"""The shape of the code, measured: import layers, package-level edges, cycles, the longest
functions, the size of ``pipeline.py``, and where SQL drivers and Jinja environments appear.

    .venv/bin/python benchmarks/layout_metrics.py                 # this checkout's src/paperfeed
    .venv/bin/python benchmarks/layout_metrics.py --src OTHER/src/paperfeed   # e.g. a worktree
    git worktree add /tmp/before 99d6c73 && .venv/bin/python benchmarks/layout_metrics.py \\
        --src /tmp/before/src/paperfeed          # the layout before the "one house" issue

Definitions (so two trees are compared the same way):

- a *module* is a ``.py`` file; an import edge is any ``import``/``from`` of another paperfeed
  module, at the top of a file or inside a function (a deferred import is still a dependency);
- a *package* is the first name under ``paperfeed`` (``paperfeed.archive``, ``paperfeed.cli``);
  package-level edges are the distinct (package, package) pairs among module edges;
- *cycles* are the strongly connected components of more than one module (package cycles the
  same over packages); *package layers* the longest chain of packages;
- *import layers* is the number of modules on the longest import chain once each cycle is
  counted as one node (a tree whose modules import nothing has one layer); the
  "at import time" figures count only the imports that run when a module is imported (module
  level, not inside functions, not under ``if TYPE_CHECKING:``);
- function length counts the lines from ``def`` to the end of the body.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules_of(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _import_nodes(tree: ast.Module, import_time_only: bool) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement; ``import_time_only``: only those that run when the module is
    imported (module level, inside if/try, not under ``if TYPE_CHECKING:``)."""
    if not import_time_only:
        return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                visit(node.orelse)
                visit(node.finalbody)
                for handler in node.handlers:
                    visit(handler.body)

    visit(tree.body)
    return found


def import_edges(
    modules: dict[str, Path], package: str, *, import_time_only: bool = False
) -> dict[str, set[str]]:
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in _import_nodes(tree, import_time_only):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = name.split(".") if is_package else name.split(".")[:-1]
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target.split(".")[0] != package:
                    continue
                found = resolve(target)
                if found is not None and found != name:
                    edges[name].add(found)
    return edges


def strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (no recursion limit on deep trees)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def layers(nodes: list[str], edges: dict[str, set[str]], components: list[set[str]]) -> int:
    owner = {member: i for i, component in enumerate(components) for member in component}
    dag: dict[int, set[int]] = defaultdict(set)
    for node in nodes:
        for child in edges.get(node, ()):
            if owner[child] != owner[node]:
                dag[owner[node]].add(owner[child])
    depth: dict[int, int] = {}
    # Tarjan emits components in reverse topological order: children come first.
    for i in range(len(components)):
        depth[i] = 1 + max((depth[c] for c in dag[i]), default=0)
    return max(depth.values(), default=0)


def longest_functions(modules: dict[str, Path], top: int) -> list[tuple[int, str]]:
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((length, f"{name}.{node.name}"))
    return sorted(found, reverse=True)[:top]


def imports_of(modules: dict[str, Path], wanted: set[str]) -> list[str]:
    out = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module.split(".")[0]]
            if wanted & set(names):
                out.append(name)
                break
    return sorted(set(out))


def jinja_environments(modules: dict[str, Path]) -> list[str]:
    out = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == "Environment":
                    out.append(name)
    return out


def measure(root: Path) -> dict[str, object]:
    modules = modules_of(root)
    package = root.name
    edges = import_edges(modules, package)
    nodes = sorted(modules)
    components = strongly_connected(nodes, edges)
    cycles = [sorted(c) for c in components if len(c) > 1]

    def top_package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 else module

    package_edges = {
        (top_package(a), top_package(b))
        for a, targets in edges.items()
        for b in targets
        if top_package(a) != top_package(b)
    }
    eager = import_edges(modules, package, import_time_only=True)
    eager_components = strongly_connected(nodes, eager)
    packages = sorted({top_package(m) for m in modules})
    package_graph: dict[str, set[str]] = defaultdict(set)
    for a, b in package_edges:
        package_graph[a].add(b)
    package_components = strongly_connected(packages, package_graph)
    pipeline = root / "pipeline.py"
    source_lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in modules.values())
    return {
        "source": str(root),
        "modules": len(modules),
        "lines": source_lines,
        "module_import_edges": sum(len(t) for t in edges.values()),
        "packages": len({top_package(m) for m in modules}),
        "package_import_edges": len(package_edges),
        "package_cycles": [sorted(c) for c in package_components if len(c) > 1],
        "package_layers": layers(packages, package_graph, package_components),
        "cycles": cycles,
        "import_layers": layers(nodes, edges, components),
        "import_layers_at_import_time": layers(nodes, eager, eager_components),
        "cycles_at_import_time": [sorted(c) for c in eager_components if len(c) > 1],
        "longest_functions": longest_functions(modules, 5),
        "pipeline_py_lines": len(pipeline.read_text(encoding="utf-8").splitlines())
        if pipeline.exists()
        else None,
        "sql_driver_imports": imports_of(modules, {"sqlite3", "apsw", "psycopg"}),
        "jinja_environments": jinja_environments(modules),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=HERE.parent / "src" / "paperfeed")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure(args.src.resolve())
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    for key, value in figures.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print(f"    {item}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
