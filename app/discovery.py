"""Find the modules each face and domain contributes, so adding one needs no edit elsewhere.

Faces (storefront, dashboard, admin, api) are packages whose submodules each
hold one group of routes on the face's blueprint; domains may have `models`
and `cli` modules. Discovery only imports them; it never runs anything else.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

APP_DIR = Path(__file__).resolve().parent


def submodules(package_name: str) -> list[ModuleType]:
    """Every direct submodule of `package_name`, imported, in name order."""
    package = importlib.import_module(package_name)
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(f"{package_name}.{name}") for name in names]


def domain_modules(module_name: str) -> list[ModuleType]:
    """`app.<domain>.<module_name>` for every domain package that has one."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(APP_DIR)]), key=lambda i: i.name):
        if not info.ispkg:
            continue
        full_name = f"app.{info.name}.{module_name}"
        if importlib.util.find_spec(full_name) is not None:
            found.append(importlib.import_module(full_name))
    return found
