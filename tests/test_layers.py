"""The layering rules of docs/architecture.md, read from the source so they stay true."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOWER_LAYERS = ("backend/new_services", "backend/repositories", "backend/core", "backend/request_handling",
                "backend/integrations")
UPPER_MODULES = ("backend.api", "backend.cli", "backend.dependancies", "celery_app")


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_lower_layers_never_import_upper_ones():
    offences = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                for path in python_files(*LOWER_LAYERS)
                for line, module in imported_modules(path)
                if any(module == upper or module.startswith(upper + ".") for upper in UPPER_MODULES)]
    assert offences == []


def test_the_check_sees_an_offending_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom backend.api.users import users\n")
    assert (2, "backend.api.users") in imported_modules(bad)


def test_services_neither_build_repositories_nor_open_connections():
    """Only the unit of work connects, begins, commits and builds repositories."""
    patterns = {
        "builds a repository": re.compile(r"\b[A-Z][A-Za-z]*Repository\("),
        "opens a transaction": re.compile(r"\.transaction\(\s*\)\s*as\s+conn|connection\.transaction\("),
        "acquires from a pool": re.compile(r"\.acquire\("),
        "uses the executor": re.compile(r"\bexecutor\.(connection|transaction)\("),
    }
    offences = [f"{path.relative_to(ROOT)}:{number}: {what}"
                for path in python_files("backend/new_services")
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                for what, pattern in patterns.items() if pattern.search(line)]
    assert offences == []


def test_exactly_one_settings_class():
    subclasses = [f"{path.relative_to(ROOT)}:{node.name}"
                  for path in python_files("backend", "celery_app")
                  for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(node, ast.ClassDef)
                  and any(getattr(base, "id", getattr(base, "attr", None)) == "BaseSettings" for base in node.bases)]
    assert subclasses == ["backend/core/settings.py:Settings"]


def test_repository_names_match_their_modules():
    from backend.repositories.registry import discover_repositories

    for name, cls in discover_repositories().items():
        module = cls.__module__.rsplit(".", 1)[-1]
        assert module == f"{name}_repository", f"repository {name!r} lives in {cls.__module__}"


@pytest.mark.parametrize("key_part", ["domain", "module"])
def test_service_keys_line_up_with_their_modules(key_part):
    """`domain.entity.action`: the domain is the service's package, the entity its module."""
    from backend.new_services.service_manager import discover_services

    for key, spec in discover_services().items():
        domain, entity = key.split(".")[:2]
        parts = spec.module.split(".")
        if key_part == "domain":
            assert parts[2] == domain, f"{key} is registered in {spec.module}"
        else:
            assert parts[-1] == f"{entity}_service", f"{key} is registered in {spec.module}"
