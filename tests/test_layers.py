"""The package's imports run one way and in no circle (README, "How an article flows").

    pipelines/ (CLI, assembly, display)  ->  transforms/beam/ (the Beam layer)
        ->  transforms/{sources,language,storage}/ and evaluation/ (stage logic)  ->  schemas/

Every import counts, at module level or inside a function, and so do the "module:function" strings the
package resolves with importlib. A module may import its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# installed package -> repository folder (pyproject.toml's package-dir)
PACKAGES = {"newswatch": "newswatch", "newswatch.pipelines": "pipelines", "newswatch.transforms": "transforms",
            "newswatch.evaluation": "evaluation", "newswatch.schemas": "schemas", "newswatch.seeds": "seeds"}
# longest prefix wins; the packages' own __init__ modules (docstrings only) sit at the bottom
LAYERS = {"newswatch.pipelines": 3,
          "newswatch.transforms.beam": 2,
          "newswatch.transforms.sources": 1, "newswatch.transforms.language": 1, "newswatch.transforms.storage": 1,
          "newswatch.evaluation": 1,
          "newswatch.schemas": 0, "newswatch.seeds": 0, "newswatch.transforms": 0, "newswatch": 0}


def modules(root: Path = ROOT, packages: dict[str, str] = PACKAGES) -> dict[str, Path]:
    found = {}
    for package, folder in packages.items():
        base = root / folder
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if any(not p.isidentifier() for p in parts) or (package == "newswatch" and parts):
                continue
            found[".".join([package, *parts])] = path
    return found


def imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The package's modules that ``module`` (at ``path``) imports, resolved to modules where possible."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and ":" in node.value:
            target = node.value.split(":")[0]
            if target in known:  # "module:function", resolved with importlib
                names.add(target)
    resolved = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            resolved.add(name)
    return resolved


def layer(module: str) -> int:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def graph(root: Path = ROOT, packages: dict[str, str] = PACKAGES) -> dict[str, set[str]]:
    found = modules(root, packages)
    return {module: imports(path, module, set(found)) for module, path in found.items()}


def upward(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
                  for a, targets in edges.items() for b in targets if layer(b) > layer(a))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_the_whole_package():
    edges = graph()
    assert {"newswatch.pipelines.cli", "newswatch.transforms.beam.write", "newswatch.transforms.storage.sink",
            "newswatch.transforms.language.extraction.rules", "newswatch.evaluation.scoring",
            "newswatch.schemas.rows"} <= set(edges)
    # function-level imports and importlib strings count
    assert "newswatch.transforms.storage.sink" in edges["newswatch.pipelines.cli"]
    assert "newswatch.transforms.language.extraction.gate" in edges["newswatch.transforms.language.extraction"]


def test_no_module_imports_a_higher_layer():
    assert upward(graph()) == []


def test_there_is_no_import_cycle():
    assert cycles(graph()) == []


@pytest.fixture()
def bad_tree(tmp_path):
    """A small package with one upward import and one cycle, laid out like ours."""
    files = {
        "schemas/__init__.py": "",
        "schemas/rows.py": "from newswatch.transforms.language import nlp\n",  # upward
        "transforms/__init__.py": "",
        "transforms/language/__init__.py": "",
        "transforms/language/nlp.py": "def f():\n    from newswatch.transforms.language import dates\n",
        "transforms/language/dates.py": "from . import nlp\n",  # with nlp: a cycle
        "transforms/beam/__init__.py": "",
        "transforms/beam/write.py": "X = 'newswatch.pipelines.cli:main'\n",  # upward, by importlib string
        "pipelines/__init__.py": "",
        "pipelines/cli.py": "import newswatch.transforms.beam.write\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_checks_catch_violations(bad_tree):
    packages = {"newswatch.pipelines": "pipelines", "newswatch.transforms": "transforms",
                "newswatch.schemas": "schemas"}
    edges = graph(bad_tree, packages)
    assert upward(edges) == [
        "newswatch.schemas.rows (layer 0) imports newswatch.transforms.language.nlp (layer 1)",
        "newswatch.transforms.beam.write (layer 2) imports newswatch.pipelines.cli (layer 3)"]
    assert cycles(edges) == [["newswatch.pipelines.cli", "newswatch.transforms.beam.write"],
                             ["newswatch.transforms.language.dates", "newswatch.transforms.language.nlp"]]
