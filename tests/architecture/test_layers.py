"""The shape of the code that import-linter cannot see: who commits, and faces that only call.

- Only a domain's ``services.py`` ends a transaction (commit, rollback, ``committed()``);
  ``operations.py`` and every other module only flush, so a reader knows from the file.
- A face (a page, an API endpoint, a task) calls at most one use case: two in a row is a
  use case missing from ``services.py`` (STYLE.md, habit 13).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACES = ("app/storefront", "app/dashboard", "app/admin", "app/api", "workers/tasks")

#: Modules that end transactions without being a domain's use cases, and why.
COMMITTING_OUTSIDE_SERVICES = {
    "app/core/transactions.py",  # committed() itself
    "app/web/health.py",  # /readyz ends the probe's read transaction
    "app/demo/seed.py",  # the demo seeder commits each phase (a CLI, not a domain)
}


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _ends_transaction(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"commit", "rollback"}:
        return True
    return isinstance(func, ast.Name) and func.id == "committed"


def test_only_services_end_transactions():
    offenders = []
    for path in _python_files("app", "workers"):
        relative = path.relative_to(ROOT).as_posix()
        if path.name == "services.py" or relative in COMMITTING_OUTSIDE_SERVICES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _ends_transaction(node):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "only services.py commits or rolls back: " + ", ".join(offenders)


def _use_case_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to services modules (``services``, ``payments``...) and to use case
    functions imported from them, in one module."""
    modules, functions = set(), set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("app."):
            continue
        for alias in node.names:
            bound = alias.asname or alias.name
            if alias.name == "services":
                modules.add(bound)
            elif node.module.endswith(".services"):
                functions.add(bound)
    return modules, functions


def _use_case_calls(function: ast.AST, modules: set[str], functions: set[str]) -> list[str]:
    calls = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in modules and func.attr[0].islower() and func.attr[0] != "_":
                calls.append(f"{func.value.id}.{func.attr}")
        elif isinstance(func, ast.Name) and func.id in functions and func.id[0].islower():
            calls.append(func.id)
    return calls


def test_each_face_calls_at_most_one_use_case():
    offenders = []
    for path in _python_files(*FACES):
        tree = ast.parse(path.read_text())
        modules, functions = _use_case_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls = _use_case_calls(node, modules, functions)
            if len(set(calls)) > 1:
                where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"
                offenders.append(f"{where} calls {sorted(set(calls))}")
    assert offenders == [], "a face calls one use case:\n" + "\n".join(offenders)
