"""ServiceManager: a registry of `domain.entity.action` keys and the one path every call takes.

A key maps to (module, function, repositories, scope). `execute_service` opens the scope's unit
of work (backend/request_handling/unit_of_work.py), builds the declared repositories on it, calls the
function and commits or rolls back. Keys are registered next to their functions with
`@service(...)`; discovery imports every module under `backend.new_services`, and start-up
validation proves every key, repository and every key that a router, task, CLI command or
another service calls exists.

What a service may ask for by parameter name:
- `<name>_repository` for each declared repository (scopes `transaction` and `autocommit`);
- `uow`, the UnitOfWork (scope `steps`: the service opens short transactions itself);
- `services`, to call another key through the manager (joining the caller's transaction when
  both run in scope `transaction`);
- `settings`, `redis`, `task_queue`: the shared resources of the composition root.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.core.discovery import import_submodules
from backend.request_handling.unit_of_work import Repositories, Scope, UnitOfWork
from backend.repositories.registry import discover_repositories
from backend.request_handling.errors import UnknownServiceError
from backend.request_handling.QueryExecutor import CONNECTION_LOST, QueryExecutor

logger = logging.getLogger(__name__)

SERVICE_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
# Shared resources a service may declare as parameters (see the module docstring).
RESOURCE_NAMES = frozenset({"settings", "redis", "task_queue"})
KERNEL_NAMES = frozenset({"uow", "services"})
# Callers that name service keys: the static check reads these calls in routers, dependencies,
# tasks, the CLI and the services themselves.
KEY_CALLS = frozenset({"execute_service", "run_service_key"})


class ServiceRegistryError(RuntimeError):
    """Raised at import or start-up when the registry is inconsistent."""


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    module: str
    function: str
    repositories: tuple[str, ...]
    scope: Scope = Scope.TRANSACTION


_service_registry: dict[str, ServiceSpec] = {}


def service(key: str, *, repositories: Iterable[str] = (), scope: Scope | str = Scope.TRANSACTION) -> Callable:
    """Register the decorated function under `key`, with the repositories it uses and its scope."""
    if not SERVICE_KEY.match(key):
        raise ServiceRegistryError(f"service key {key!r} is not of the form domain.entity.action")
    repos = tuple(repositories)
    scope = Scope(scope)

    def decorate(fn: Callable) -> Callable:
        spec = ServiceSpec(key, fn.__module__, fn.__name__, repos, scope)
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
        for file in [root] if root.is_file() else sorted(root.rglob("*.py")):
            calls, bad = _key_calls_in(file)
            for key, where in calls:
                found.setdefault(key, []).append(where)
            problems.extend(bad)
    if problems:
        raise ServiceRegistryError("; ".join(problems))
    return found


# file -> (its size and modification time, what _key_calls_in found): every start-up validates the
# registry, and a process that starts many (the test suite) re-reads only the files that changed.
_parsed_files: dict[Path, tuple[tuple[int, int], tuple[list[tuple[str, str]], list[str]]]] = {}


def _key_calls_in(file: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The (key, "file:line") of each key call in one source file, and its calls whose key is not a literal."""
    stat = file.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _parsed_files.get(file)
    if cached is not None and cached[0] == version:
        return cached[1]
    calls: list[tuple[str, str]] = []
    problems: list[str] = []
    source = file.read_text(encoding="utf-8")
    # Most files call no key at all: only those naming a key call are parsed.
    tree = ast.parse(source, filename=str(file)) if any(name in source for name in KEY_CALLS) else ast.Module([], [])
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
            calls.append((arg.value, where))
        elif arg is not None and not _is_forwarded_parameter(arg):
            problems.append(f"{where}: service key must be a string literal")
    _parsed_files[file] = (version, (calls, problems))
    return calls, problems


def _is_forwarded_parameter(arg: ast.AST) -> bool:
    # Generic dispatchers (the "run any key" task, the CLI `run` command, the manager itself)
    # forward a variable named `key`; the key itself is checked at call time against the registry.
    return isinstance(arg, ast.Name) and arg.id == "key"


def default_reference_roots() -> list[Path]:
    root = Path(__file__).resolve().parents[2]
    return [root / "backend" / "api", root / "backend" / "dependancies", root / "celery_app",
            root / "backend" / "cli", root / "backend" / "new_services", root / "backend" / "main.py"]


class ServiceCaller:
    """What a service gets as `services`: calls another key through the manager. A `transaction`
    callee of a `transaction` caller runs in a savepoint of the caller's transaction (its writes
    commit or roll back with the caller's); any other callee runs in a unit of work of its own."""

    def __init__(self, manager: "ServiceManager", joined: Repositories | None):
        self._manager = manager
        self._joined = joined

    async def execute_service(self, key: str, /, **kwargs: Any) -> Any:
        return await self._manager._call(key, kwargs, joined=self._joined)


class ServiceManager:
    _service_registry = _service_registry

    def __init__(self, executor: QueryExecutor | None, resources: Mapping[str, Any] | None = None):
        self.executor = executor
        unknown = set(resources or {}) - RESOURCE_NAMES
        if unknown:
            raise ServiceRegistryError(f"unknown resources {sorted(unknown)}; known: {sorted(RESOURCE_NAMES)}")
        self.resources: dict[str, Any] = dict.fromkeys(RESOURCE_NAMES) | dict(resources or {})
        self._functions: dict[str, Callable] = {}
        self._parameters: dict[str, frozenset[str]] = {}
        self._repository_classes: dict[str, dict[str, type]] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def initialize(cls, executor: QueryExecutor | None, resources: Mapping[str, Any] | None = None,
                   reference_roots: Iterable[Path] | None = None) -> "ServiceManager":
        manager = cls(executor, resources)
        manager.validate(reference_roots if reference_roots is not None else default_reference_roots())
        return manager

    async def close(self) -> None:
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
            errors.extend(f"{key}: {problem}" for problem in _signature_problems(spec, params, repositories))
            self._functions[key] = fn
            self._parameters[key] = frozenset(params)
            self._repository_classes[key] = {name: repositories[name] for name in spec.repositories
                                             if name in repositories}
        for key, places in sorted(find_referenced_keys(reference_roots).items()):
            if key not in specs:
                errors.append(f"unregistered service key {key!r} called at {', '.join(places)}")
        if errors:
            raise ServiceRegistryError("service registry is inconsistent:\n  " + "\n  ".join(errors))
        logger.debug("service registry validated: %d keys", len(specs))

    def keys(self) -> list[str]:
        return sorted(self._functions)

    # -- execution -------------------------------------------------------------------------------
    async def execute_service(self, key: str, /, **kwargs: Any) -> Any:
        return await self._call(key, kwargs, joined=None)

    async def _call(self, key: str, kwargs: dict[str, Any], *, joined: Repositories | None) -> Any:
        try:
            spec, fn = _service_registry[key], self._functions[key]
        except KeyError:
            raise UnknownServiceError(f"unknown service key {key!r}") from None
        params = self._parameters[key]
        call_kwargs = dict(kwargs)
        for name in RESOURCE_NAMES & params:
            call_kwargs.setdefault(name, self.resources[name])
        if not spec.repositories and "uow" not in params:
            if "services" in params:
                call_kwargs["services"] = ServiceCaller(self, None)
            return await _invoke(fn, call_kwargs)
        uow = self._unit_of_work(key)
        if "uow" in params:
            call_kwargs["uow"] = uow
        if joined is not None and spec.scope is Scope.TRANSACTION and joined.in_transaction():
            # Called by a transactional service: the callee's writes share the caller's fate.
            async with joined.transaction():
                callee = joined.for_callee(self._repository_classes[key], key)
                return await self._run_in(fn, call_kwargs, spec, callee, params)
        for attempt in (1, 2):
            try:
                async with uow.scope(spec.scope) as repos:
                    return await self._run_in(fn, call_kwargs, spec, repos, params)
            except CONNECTION_LOST:
                # The server restarted or the network dropped: every pooled connection is suspect,
                # so all are replaced on next use. An autocommit read is safe to repeat once.
                await self.executor.expire_connections()
                if spec.scope is not Scope.AUTOCOMMIT or attempt == 2:
                    raise
                logger.warning("database connection lost during %s; retrying once", key)
        raise AssertionError("unreachable")

    async def _run_in(self, fn: Callable, call_kwargs: dict[str, Any], spec: ServiceSpec,
                      repos: Repositories | None, params: frozenset[str]) -> Any:
        if repos is not None:
            for name in spec.repositories:
                call_kwargs[f"{name}_repository"] = getattr(repos, name)
        if "services" in params:
            call_kwargs["services"] = ServiceCaller(self, repos)
        return await _invoke(fn, call_kwargs)

    def _unit_of_work(self, key: str) -> UnitOfWork:
        if self.executor is None:
            raise RuntimeError(f"service {key!r} needs the database but no executor is configured")
        return UnitOfWork(self.executor, self._repository_classes[key], key)


async def _invoke(fn: Callable, kwargs: dict[str, Any]) -> Any:
    result = fn(**kwargs)
    return await result if inspect.isawaitable(result) else result


def _signature_problems(spec: ServiceSpec, params: Mapping[str, inspect.Parameter],
                        repositories: Mapping[str, type]) -> list[str]:
    """What is wrong with a service function's parameters for its declared repositories and scope."""
    problems = []
    positional = [p.name for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if positional:
        problems.append(f"parameters must be keyword-only (got {positional})")
    for repo in spec.repositories:
        if repo not in repositories:
            problems.append(f"unknown repository {repo!r}")
    takes_repositories = [name for name in params if name.endswith("_repository")]
    if spec.scope is Scope.STEPS:
        if "uow" not in params:
            problems.append("scope 'steps' needs a `uow` parameter (it opens its own steps)")
        if takes_repositories:
            problems.append(f"scope 'steps' gets repositories from `uow`, not as {takes_repositories}")
        if not spec.repositories:
            problems.append("scope 'steps' without repositories has nothing to open")
    else:
        if "uow" in params:
            problems.append(f"only scope 'steps' receives `uow` (this is {spec.scope.value!r})")
        for repo in spec.repositories:
            if f"{repo}_repository" not in params:
                problems.append(f"function does not accept {repo}_repository")
        for name in takes_repositories:
            if name.removesuffix("_repository") not in spec.repositories:
                problems.append(f"parameter {name} is not a declared repository")
    return problems
