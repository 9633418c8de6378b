"""The layering rule: only the front ends import textual, only grading/llm*.py import openai,
and the core (engine, store, graders, review) never imports a front end."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import mockint

PACKAGE = Path(mockint.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts)


def test_only_the_tui_imports_textual() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in modules()
        if "tui" not in path.relative_to(PACKAGE).parts
        and path.name != "launch.py"
        and any(name.split(".")[0] == "textual" for name in imported_modules(path))
    ]
    assert offenders == []


def test_only_the_llm_grader_imports_openai() -> None:
    allowed = {
        Path("grading/llm.py"),
        Path("grading/llm_client.py"),
        Path("grading/llm_failure.py"),
        Path("grading/llm_request.py"),
    }
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in modules()
        if path.relative_to(PACKAGE) not in allowed
        and any(name.split(".")[0] == "openai" for name in imported_modules(path))
    ]
    assert offenders == []


def test_core_does_not_import_front_ends() -> None:
    core = [
        p
        for p in modules()
        if (p.parent == PACKAGE and p.name != "__main__.py")
        or p.parent.name in {"grading", "review", "store"}
    ]
    for path in core:
        for name in imported_modules(path):
            assert not name.startswith(("mockint.tui", "mockint.cli")), (path, name)


def test_every_top_level_module_has_a_layer() -> None:
    # import-linter's layers contract says nothing about a module it does not name
    config = tomllib.loads(
        (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    )
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    named = {name for layer in layers for name in re.split(r"\s*\|\s*", layer)}
    top_level = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem not in {"__init__", "__main__"})
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert top_level - named == set(), "add these to the layers contract in pyproject.toml"
