"""ServiceManager: a registry of `domain.entity.action` keys and the one path every call takes.

A key maps to (module, function, repositories). `execute_service` acquires a connection, opens a
transaction, builds the repositories on it, calls the function and commits or rolls back. Keys are
registered next to their functions with `@service(...)`; discovery imports every module under
`backend.new_services`, and start-up validation proves every key, repository and every key that
a router, task or CLI command calls exists.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.core.discovery import import_submodules
from backend.repositories.registry import discover_repositories
from backend.request_handling.errors import UnknownServiceError
from backend.request_handling.QueryExecutor import QueryExecutor

logger = logging.getLogger(__name__)

SERVICE_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
# Names a service may declare as parameters to receive shared resources.
RESOURCE_NAMES = frozenset({"settings", "redis", "executor", "service_manager", "connection"})
# Callers that name service keys: the static check reads these calls in routers, dependencies, tasks and the CLI.
KEY_CALLS = frozenset({"execute_service", "run_service_key"})


class ServiceRegistryError(RuntimeError):
    """Raised at import or start-up when the registry is inconsistent."""


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    module: str
    function: str
    repositories: tuple[str, ...]
    transactional: bool = True


_service_registry: dict[str, ServiceSpec] = {}


def service(key: str, *, repositories: Iterable[str] = (), transactional: bool = True) -> Callable:
    """Register the decorated function under `key`.

    By default the call runs in one transaction on one connection, on which its repositories are
    built. transactional=False: the repositories (if any) share one pooled connection in autocommit,
    for hot read paths and for pipelines that open their own short transactions through `executor`
    so their progress is visible while they run.
    """
    if not SERVICE_KEY.match(key):
        raise ServiceRegistryError(f"service key {key!r} is not of the form domain.entity.action")
    repos = tuple(repositories)

    def decorate(fn: Callable) -> Callable:
        spec = ServiceSpec(key, fn.__module__, fn.__name__, repos, transactional)
        existing = _service_registry.get(key)
        if existing is not None and (existing.module, existing.function) != (spec.module, spec.function):
            raise ServiceRegistryError(
                f"service key {key!r} registered twice: {existing.module}.{existing.function} "
                f"and {spec.module}.{spec.function}"
            )
        _service_registry[key] = spec
        return fn

    return decorate


def discover_services() -> dict[str, ServiceSpec]:
    import backend.new_services as package

    import_submodules(package)
    return _service_registry


def find_referenced_keys(paths: Iterable[Path]) -> dict[str, list[str]]:
    """Every service key named by an execute_service(...) call in the given source trees.

    Returns key -> ["file:line", ...]. A call whose key is not a string literal is an error:
    keys are literals so that this check can see them.
    """
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for file in files:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name not in KEY_CALLS:
                    continue
                arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
                where = f"{file}:{node.lineno}"
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, []).append(where)
                elif arg is not None and not _is_forwarded_parameter(arg):
                    problems.append(f"{where}: service key must be a string literal")
    if problems:
        raise ServiceRegistryError("; ".join(problems))
    return found


def _is_forwarded_parameter(arg: ast.AST) -> bool:
    # Generic dispatchers (the "run any key" task, the CLI `run` command) forward a variable named
    # `key`; the key itself is checked at call time against the registry.
    return isinstance(arg, ast.Name) and arg.id == "key"


def default_reference_roots() -> list[Path]:
    root = Path(__file__).resolve().parents[2]
    return [root / "backend" / "api", root / "backend" / "dependancies", root / "celery_app", root / "backend" / "cli"]


class ServiceManager:
    _service_registry = _service_registry
    _instance: "ServiceManager | None" = None

    def __init__(self, executor: QueryExecutor | None, resources: dict[str, Any] | None = None):
        self.executor = executor
        self.resources: dict[str, Any] = {"executor": executor, **(resources or {})}
        self.resources["service_manager"] = self
        self._functions: dict[str, Callable] = {}
        self._repositories: dict[str, type] = {}
        self._parameters: dict[str, frozenset[str]] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def initialize(cls, executor: QueryExecutor | None, resources: dict[str, Any] | None = None,
                   reference_roots: Iterable[Path] | None = None) -> "ServiceManager":
        manager = cls(executor, resources)
        manager.validate(reference_roots if reference_roots is not None else default_reference_roots())
        cls._instance = manager
        return manager

    @classmethod
    def get_instance(cls) -> "ServiceManager":
        if cls._instance is None:
            raise RuntimeError("ServiceManager is not initialised")
        return cls._instance

    async def close(self) -> None:
        if ServiceManager._instance is self:
            ServiceManager._instance = None
        self._functions.clear()

    # -- validation ------------------------------------------------------------------------------
    def validate(self, reference_roots: Iterable[Path]) -> None:
        specs = discover_services()
        repositories = discover_repositories()
        errors: list[str] = []
        for key, spec in sorted(specs.items()):
            try:
                fn = getattr(importlib.import_module(spec.module), spec.function)
            except (ImportError, AttributeError) as exc:
                errors.append(f"{key}: cannot resolve {spec.module}.{spec.function} ({exc})")
                continue
            params = inspect.signature(fn).parameters
            positional = [p for p in params.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if positional:
                errors.append(f"{key}: parameters must be keyword-only (got {[p.name for p in positional]})")
            for repo in spec.repositories:
                if repo not in repositories:
                    errors.append(f"{key}: unknown repository {repo!r}")
                elif f"{repo}_repository" not in params:
                    errors.append(f"{key}: function does not accept {repo}_repository")
            for name in params:
                if name.endswith("_repository") and name.removesuffix("_repository") not in spec.repositories:
                    errors.append(f"{key}: parameter {name} is not a declared repository")
            self._functions[key] = fn
            self._parameters[key] = frozenset(params)
        self._repositories = dict(repositories)
        for key, places in sorted(find_referenced_keys(reference_roots).items()):
            if key not in specs:
                errors.append(f"unregistered service key {key!r} called at {', '.join(places)}")
        if errors:
            raise ServiceRegistryError("service registry is inconsistent:\n  " + "\n  ".join(errors))
        logger.debug("service registry validated: %d keys", len(specs))

    def keys(self) -> list[str]:
        return sorted(self._functions)

    # -- execution -------------------------------------------------------------------------------
    def _resolve(self, key: str) -> tuple[ServiceSpec, Callable]:
        try:
            return _service_registry[key], self._functions[key]
        except KeyError:
            raise UnknownServiceError(f"unknown service key {key!r}") from None

    def _inject(self, key: str, kwargs: dict[str, Any], connection: Any | None) -> dict[str, Any]:
        params = self._parameters[key]
        call_kwargs = dict(kwargs)
        for name in RESOURCE_NAMES & params:
            if name not in call_kwargs:
                call_kwargs[name] = connection if name == "connection" else self.resources.get(name)
        return call_kwargs

    async def execute_service(self, key: str, /, **kwargs: Any) -> Any:
        spec, fn = self._resolve(key)
        if not spec.repositories and "connection" not in self._parameters[key]:
            result = fn(**self._inject(key, kwargs, None))
            return await result if inspect.isawaitable(result) else result
        if self.executor is None:
            raise RuntimeError(f"service {key!r} needs the database but no executor is configured")
        # transactional=False: single autocommit statements on a pooled connection (hot read paths).
        scope = self.executor.transaction() if spec.transactional else self.executor.connection()
        async with scope as conn:
            call_kwargs = self._inject(key, kwargs, conn)
            for repo in spec.repositories:
                call_kwargs[f"{repo}_repository"] = self._repositories[repo](conn)
            result = fn(**call_kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result
