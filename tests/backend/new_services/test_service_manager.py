"""The registry: keys validated at start-up, every referenced key exists, one transaction per call."""
from __future__ import annotations

import textwrap

import pytest

from backend.new_services import service_manager as sm
from backend.new_services.service_manager import (
    ServiceManager,
    ServiceRegistryError,
    default_reference_roots,
    find_referenced_keys,
    service,
)
from backend.request_handling.errors import NotFoundError, UnknownServiceError


@pytest.fixture
def scratch_registry():
    """Register throw-away services and repositories without leaking them into other tests."""
    from backend.repositories import registry as repo_registry

    saved = dict(sm._service_registry)
    saved_repos = dict(repo_registry._repository_registry)
    yield sm._service_registry
    sm._service_registry.clear()
    sm._service_registry.update(saved)
    repo_registry._repository_registry.clear()
    repo_registry._repository_registry.update(saved_repos)


def import_scratch_module(tmp_path, monkeypatch, name: str, source: str):
    """Services must be importable by module path (that is what start-up resolves), so tests write one."""
    import importlib

    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module(name)


def test_every_key_called_by_routes_tasks_and_cli_is_registered():
    registry = sm.discover_services()
    referenced = find_referenced_keys(default_reference_roots())
    assert referenced, "the scan must find the keys routers and tasks call"
    missing = {key: places for key, places in referenced.items() if key not in registry}
    assert missing == {}


def test_every_route_under_api_calls_a_registered_key(app):
    """Walk the live routes: each endpoint's source either calls a registered key or is a system route."""
    import inspect

    from tests.fixtures.app import iter_endpoints

    registry = sm.discover_services()
    api_routes = [(path, endpoint) for path, _, endpoint in iter_endpoints(app) if path.startswith("/api/")]
    assert len(api_routes) > 40, "the walk must reach the routes of every included router"
    calling = 0
    for path, endpoint in api_routes:
        keys = find_keys_in_source(inspect.getsource(endpoint))
        calling += bool(keys)
        for key in keys:
            assert key in registry, f"{path} calls unregistered key {key}"
    assert calling == len(api_routes), "every /api endpoint goes through the registry"


def find_keys_in_source(source: str) -> list[str]:
    import ast

    keys = []
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in sm.KEY_CALLS:
            if node.args and isinstance(node.args[0], ast.Constant):
                keys.append(node.args[0].value)
    return keys


def test_every_registered_celery_task_calls_a_registered_key():
    from celery_app.celery_main_app import TASK_MODULES, celery_app

    for module in TASK_MODULES:
        __import__(module)
    names = [name for name in celery_app.tasks if name.startswith("automana.")]
    assert "automana.registry.run_service" in names
    referenced = find_referenced_keys(default_reference_roots())
    registry = sm.discover_services()
    assert all(key in registry for key in referenced)


def test_router_calling_unregistered_key_stops_start_up(tmp_path):
    router_file = tmp_path / "bad_router.py"
    router_file.write_text(textwrap.dedent("""
        async def endpoint(service_manager):
            return await service_manager.execute_service("catalog.card.does_not_exist")
    """))
    with pytest.raises(ServiceRegistryError, match=r"unregistered service key 'catalog.card.does_not_exist'"):
        ServiceManager.initialize(None, reference_roots=[tmp_path])


async def test_app_start_up_fails_naming_the_unregistered_key(settings, tmp_path):
    from backend.main import create_app

    (tmp_path / "r.py").write_text('async def f(m):\n    await m.execute_service("users.user.misspelt")\n')
    app = create_app(settings, reference_roots=[tmp_path])
    with pytest.raises(ServiceRegistryError, match="users.user.misspelt"):
        async with app.router.lifespan_context(app):
            pass


def test_non_literal_key_is_refused(tmp_path):
    (tmp_path / "r.py").write_text('async def f(m, name):\n    await m.execute_service("a.b." + name)\n')
    with pytest.raises(ServiceRegistryError, match="must be a string literal"):
        find_referenced_keys([tmp_path])


def test_duplicate_key_fails_at_import(scratch_registry):
    @service("test.dup.key")
    async def first():
        return 1

    with pytest.raises(ServiceRegistryError, match="registered twice"):
        @service("test.dup.key")
        async def second():
            return 2


def test_malformed_key_is_refused():
    with pytest.raises(ServiceRegistryError, match="domain.entity.action"):
        service("NotAKey")


def test_unknown_repository_and_positional_parameters_fail_validation(scratch_registry, tmp_path, monkeypatch):
    import_scratch_module(tmp_path, monkeypatch, "scratch_bad_services", """
        from backend.new_services.service_manager import service

        @service("test.bad.repo", repositories=["nope"])
        async def uses_missing_repo(*, nope_repository):
            return None

        @service("test.bad.positional")
        async def positional(x):
            return x
    """)
    with pytest.raises(ServiceRegistryError) as info:
        ServiceManager.initialize(None, reference_roots=[tmp_path / "none"])
    message = str(info.value)
    assert "test.bad.repo: unknown repository 'nope'" in message
    assert "test.bad.positional: parameters must be keyword-only" in message


async def test_execute_unknown_key_raises(service_manager):
    with pytest.raises(UnknownServiceError, match="no.such.key"):
        await service_manager.execute_service("no.such.key")


async def test_service_call_is_one_transaction_rolled_back_on_error(app, db, scratch_registry, tmp_path,
                                                                   monkeypatch):
    import_scratch_module(tmp_path, monkeypatch, "scratch_tx_services", """
        from backend.new_services.service_manager import service
        from backend.repositories.base import BaseRepository
        from backend.repositories.registry import repository
        from backend.request_handling.errors import NotFoundError

        @repository("scratch_log")
        class ScratchLogRepository(BaseRepository):
            async def add(self, message):
                await self.conn.execute(
                    "INSERT INTO ops.log_records (level, logger, message, service_type) "
                    "VALUES ('INFO', 'tx', $1, 'api')", message)

        @service("test.tx.write_then_fail", repositories=["scratch_log"])
        async def write_then_fail(*, scratch_log_repository, fail):
            await scratch_log_repository.add("first")
            if fail:
                raise NotFoundError("nothing here")
            return "ok"
    """)
    manager = ServiceManager.initialize(app.state.executor, reference_roots=[tmp_path / "none"])
    with pytest.raises(NotFoundError):
        await manager.execute_service("test.tx.write_then_fail", fail=True)
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM ops.log_records WHERE logger = 'tx'")
        assert cur.fetchone()[0] == 0
    assert await manager.execute_service("test.tx.write_then_fail", fail=False) == "ok"
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM ops.log_records WHERE logger = 'tx'")
        assert cur.fetchone()[0] == 1
    # a failed statement must not poison the pooled connection for the next call
    with pytest.raises(Exception):
        async with app.state.executor.transaction() as conn:
            await conn.execute("SELECT 1/0")
    async with app.state.executor.connection() as conn:
        assert await conn.fetchval("SELECT 1") == 1


async def test_non_transactional_service_runs_autocommit_statements(app, db, scratch_registry, tmp_path,
                                                                    monkeypatch):
    import_scratch_module(tmp_path, monkeypatch, "scratch_autocommit_services", """
        from backend.new_services.service_manager import service
        from backend.repositories.base import BaseRepository
        from backend.repositories.registry import repository

        @repository("scratch_auto")
        class ScratchAutoRepository(BaseRepository):
            async def add_then_fail(self):
                await self.conn.execute(
                    "INSERT INTO ops.log_records (level, logger, message, service_type) "
                    "VALUES ('INFO', 'auto', 'kept', 'api')")
                return self.conn.is_in_transaction()

        @service("test.auto.write", repositories=["scratch_auto"], transactional=False)
        async def write(*, scratch_auto_repository):
            in_transaction = await scratch_auto_repository.add_then_fail()
            raise ValueError(f"in transaction: {in_transaction}")
    """)
    manager = ServiceManager.initialize(app.state.executor, reference_roots=[tmp_path / "none"])
    with pytest.raises(ValueError, match="in transaction: False"):
        await manager.execute_service("test.auto.write")
    with db.cursor() as cur:  # the statement committed on its own: nothing to roll back
        cur.execute("SELECT count(*) FROM ops.log_records WHERE logger = 'auto'")
        assert cur.fetchone()[0] == 1
