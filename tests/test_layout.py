"""The code's shape: imports flow one way, the library stays light, data ships inside.

The import graph is read from the source with ``ast`` (every ``import``/``from ... import``
of an ``mtqa`` module, inside functions and ``TYPE_CHECKING`` blocks too): it must have no
cycle, and nothing but ``mtqa/__main__.py`` may import the command line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mtqa"
HEAVY = ("torch", "transformers", "pandas")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The mtqa modules ``name`` imports (``from mtqa.x import y`` counts ``mtqa.x.y`` when
    that is a module, else ``mtqa.x``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.update(
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            )
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        path.append(n)
        for m in sorted(edges[n]):
            if state.get(m) == 1:
                return path[path.index(m) :] + [m]
            if m not in state and (found := visit(m)):
                return found
        path.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_graph_is_read_correctly() -> None:
    edges = graph()
    assert "mtqa.pipeline" in edges and "mtqa.analyse" in edges["mtqa.engines.base"]
    assert "mtqa.cli" in edges["mtqa.__main__"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_has_no_cycle() -> None:
    assert find_cycle(graph()) is None


def test_nothing_imports_the_cli() -> None:
    importers = sorted(n for n, deps in graph().items() if "mtqa.cli" in deps)
    assert importers == ["mtqa.__main__"]


@pytest.mark.parametrize(
    "modules",
    [
        "mtqa",
        "mtqa.pipeline",
        "mtqa.cli",
        "mtqa.analyse",
        "mtqa.engines.local",
        "mtqa.quality.calibrate",
        "mtqa.quality.evaluate",
    ],
)
def test_the_library_imports_no_framework(modules: str) -> None:
    """torch/transformers (mtqa.lm.hf, mtqa.lm.weights) and pandas (mtqa.report.table) are
    imported only when a model is loaded or a CSV written."""
    code = f"import sys, {modules}; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_data_is_found_through_the_package() -> None:
    from mtqa.data import resource, word_lists
    from mtqa.detect import detector_path
    from mtqa.lm.presets import PRESETS

    for preset in PRESETS:
        assert detector_path(preset).is_file(), preset
        assert PACKAGE / "data" in detector_path(preset).parents
    assert resource("words", "french.toml").is_file()
    assert word_lists("synth")["false_friends"]["currently"] == "actually"
    assert (PACKAGE / "report" / "templates" / "report.js").is_file()


def _runtime_imports(path: Path) -> set[str]:
    """The top-level packages ``path`` imports at run time (``if TYPE_CHECKING:`` blocks,
    which only type annotations read, left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for n in ast.walk(stmt)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_one_module_imports_pandas_and_only_the_lm_package_imports_torch() -> None:
    """The brief's layout: pandas is read and written in ``mtqa/report/table.py`` alone (the
    API's tables are made there too), torch and transformers only inside ``mtqa/lm/``."""
    pandas_users, torch_users = set(), set()
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        used = _runtime_imports(path)
        if "pandas" in used:
            pandas_users.add(name)
        if used & {"torch", "transformers"}:
            torch_users.add(name)
    assert pandas_users == {"report/table.py"}
    assert torch_users and all(n.startswith("lm/") for n in torch_users), torch_users
