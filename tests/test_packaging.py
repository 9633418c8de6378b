"""Packaging facts a fresh `pip install .` depends on: every import declared, one version."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import mockint

# the checkout (pyproject.toml) and the package as imported (installed or not)
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(mockint.__file__).parent


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _third_party_imports() -> dict[str, str]:
    """Top-level module -> one file importing it, for modules outside the standard library."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"mockint", "__future__"}:
                    found.setdefault(top, str(path.relative_to(PACKAGE)))
    return found


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalise(re.split(r"[\s<>=!~;\[(]", dep, maxsplit=1)[0])
        for dep in project["dependencies"]
    }


def test_every_imported_package_is_declared() -> None:
    # A package that only arrives as someone else's dependency can vanish in their next release.
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    undeclared = {
        module: where
        for module, where in _third_party_imports().items()
        if not {_normalise(d) for d in distributions.get(module, [module])} & declared
    }
    assert undeclared == {}


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert importlib.metadata.version("mockint") == mockint.__version__
