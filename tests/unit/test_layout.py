"""The layer's layout: who may import whom, no import cycle, no oversized class or module.

docs/ARCHITECTURE.md draws the same map. Imports are read from the source (every `import` and
`from ... import`, also inside functions: a lazy import is still a dependency), so the test needs
nothing imported.
"""
import ast
from collections import defaultdict
from pathlib import Path

import pytest

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"
ROOT_PACKAGE = "accord"
MAX_CLASS_LINES = 400
MAX_MODULE_LINES = 1000

# Package (first segment under accord) -> the packages it may import. Modules at the top of the
# layer (errors, clock, log, jsontext) are the kernel: everyone may import them, they import
# nothing of ours but each other.
KERNEL = {"errors", "clock", "log", "jsontext", "metrics", "tracing"}
ALLOWED = {
    "auth": set(),
    "schemadiff": set(),
    "store": set(),
    "http": {"auth"},
    "jobs": {"store"},
    "identity": {"auth", "store", "http", "jobs"},
    "notify": {"auth", "store", "http", "identity"},
    "registry": {"auth", "store", "http", "schemadiff", "identity", "notify"},
    "configuration": {"auth", "store", "http", "identity", "registry"},
    "reports": {"auth", "store", "http", "registry", "notify"},
    "ingest": {"auth", "store", "http", "identity", "registry", "reports", "schemadiff", "notify", "jobs"},
}


def _modules():
    for path in sorted((LAYER / ROOT_PACKAGE).rglob("*.py")):
        rel = path.relative_to(LAYER).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield ".".join(parts), path, is_package


MODULES = {name: (path, is_pkg) for name, path, is_pkg in _modules()}


def _imports(name, path, is_package):
    """Every accord module `name` imports (resolved; `from pkg import mod` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = name.split(".") if is_package else name.split(".")[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod for a in node.names]
        else:
            continue
        for t in targets:
            if t == ROOT_PACKAGE or not t.startswith(ROOT_PACKAGE + "."):
                continue
            while t not in MODULES and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in MODULES and t != name:
                out.add(t)
    return out


GRAPH = {name: _imports(name, path, is_pkg) for name, (path, is_pkg) in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_package_has_a_place_on_the_map():
    packages = {_package(m) for m in MODULES} - {""}
    unknown = packages - KERNEL - set(ALLOWED)
    assert not unknown, f"add {sorted(unknown)} to ALLOWED here and to the map in docs/ARCHITECTURE.md"


def test_packages_import_only_what_the_map_allows():
    wrong = []
    for module, targets in GRAPH.items():
        src = _package(module)
        for target in targets:
            dst = _package(target)
            if dst == src or dst in KERNEL:
                continue
            if src in KERNEL or dst not in ALLOWED.get(src, set()):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports the map does not allow:\n" + "\n".join(sorted(wrong))


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycle_between_modules():
    # a package's __init__ importing its own modules is not a cycle worth reporting
    graph = {m: {t for t in ts if not (MODULES[t][1] and m.startswith(t + "."))} for m, ts in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_oversized_module_or_class(module):
    path, _ = MODULES[module]
    source = path.read_text(encoding="utf-8")
    lines = source.count("\n") + 1
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines (split it by what it holds)"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"class {node.name}: {size} lines"
