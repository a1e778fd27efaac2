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
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
        if name in sm.KEY_CALLS:
            if node.args and isinstance(node.args[0], ast.Constant):
                keys.append(node.args[0].value)
    return keys


def test_every_registered_celery_task_calls_a_registered_key():
    """Each named task is a thin adapter: its own source calls exactly the keys it runs, and they exist
    (the generic `run_service` forwards a key given at call time)."""
    import inspect

    from celery_app.celery_main_app import TASK_MODULES, celery_app

    for module in TASK_MODULES:
        __import__(module)
    registry = sm.discover_services()
    tasks = {name: task for name, task in celery_app.tasks.items() if name.startswith("automana.")}
    assert "automana.registry.run_service" in tasks
    linked = {}
    for name, task in tasks.items():
        if name == "automana.registry.run_service":
            continue
        keys = find_keys_in_source(inspect.getsource(task.run))
        assert keys, f"task {name} calls no service key"
        for key in keys:
            assert key in registry, f"task {name} calls unregistered key {key}"
        linked[name] = keys
    assert linked["automana.scryfall.load_bulk"] == ["integrations.scryfall.load_bulk"]
    assert linked["automana.catalog.load_card_upload"] == ["card_catalog.upload.load"]


def test_service_to_service_calls_are_checked_at_start_up(scratch_registry, tmp_path, monkeypatch):
    """A key one service calls through `services` is found by the start-up check like any other."""
    import_scratch_module(tmp_path, monkeypatch, "scratch_caller_services", """
        from backend.new_services.service_manager import service

        @service("test.caller.call")
        async def call(*, services):
            return await services.execute_service("test.callee.does_not_exist")
    """)
    with pytest.raises(ServiceRegistryError, match=r"unregistered service key 'test.callee.does_not_exist'"):
        ServiceManager.initialize(None, reference_roots=[tmp_path])
    referenced = find_referenced_keys(default_reference_roots())
    assert "card_catalog.catalog_load.load_cards" in referenced   # called by the Scryfall pipeline
    assert any("backend/new_services" in place for place in referenced["card_catalog.catalog_load.load_cards"])


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


SCRATCH_REPOSITORY = """
    from backend.new_services.service_manager import service
    from backend.repositories.base import BaseRepository
    from backend.repositories.registry import repository
    from backend.request_handling.errors import NotFoundError

    @repository("scratch_log")
    class ScratchLogRepository(BaseRepository):
        async def add(self, message):
            await self.conn.execute(
                "INSERT INTO ops.log_records (level, logger, message, service_type) "
                "VALUES ('INFO', 'scratch', $1, 'api')", message)
            return self.conn.is_in_transaction()
"""


def scratch_messages(db) -> list[str]:
    with db.cursor() as cur:
        cur.execute("SELECT message FROM ops.log_records WHERE logger = 'scratch' ORDER BY id")
        return [row[0] for row in cur.fetchall()]


def scratch_manager(app, tmp_path, monkeypatch, name: str, services: str) -> ServiceManager:
    import_scratch_module(tmp_path, monkeypatch, name,
                          textwrap.dedent(SCRATCH_REPOSITORY) + textwrap.dedent(services))
    return ServiceManager.initialize(app.state.runtime.executor, reference_roots=[tmp_path / "none"])


async def test_service_call_is_one_transaction_rolled_back_on_error(app, db, scratch_registry, tmp_path,
                                                                   monkeypatch):
    manager = scratch_manager(app, tmp_path, monkeypatch, "scratch_tx_services", """
        @service("test.tx.write_then_fail", repositories=["scratch_log"])
        async def write_then_fail(*, scratch_log_repository, fail):
            assert await scratch_log_repository.add("first")
            if fail:
                raise NotFoundError("nothing here")
            return "ok"
    """)
    with pytest.raises(NotFoundError):
        await manager.execute_service("test.tx.write_then_fail", fail=True)
    assert scratch_messages(db) == []
    assert await manager.execute_service("test.tx.write_then_fail", fail=False) == "ok"
    assert scratch_messages(db) == ["first"]


async def test_autocommit_scope_runs_each_statement_on_its_own(app, db, scratch_registry, tmp_path, monkeypatch):
    manager = scratch_manager(app, tmp_path, monkeypatch, "scratch_autocommit_services", """
        @service("test.auto.write", repositories=["scratch_log"], scope="autocommit")
        async def write(*, scratch_log_repository):
            in_transaction = await scratch_log_repository.add("kept")
            raise ValueError(f"in transaction: {in_transaction}")
    """)
    with pytest.raises(ValueError, match="in transaction: False"):
        await manager.execute_service("test.auto.write")
    assert scratch_messages(db) == ["kept"]   # the statement committed on its own: nothing to roll back


async def test_steps_scope_commits_each_step_and_rolls_back_only_the_failing_one(app, db, scratch_registry,
                                                                                 tmp_path, monkeypatch):
    manager = scratch_manager(app, tmp_path, monkeypatch, "scratch_steps_services", """
        @service("test.steps.two_steps", repositories=["scratch_log"], scope="steps")
        async def two_steps(*, uow):
            async with uow.step() as repos:
                assert await repos.scratch_log.add("step one")
            async with uow.step() as repos:
                await repos.scratch_log.add("step two")
                raise NotFoundError("second step fails")

        @service("test.steps.undeclared", repositories=["scratch_log"], scope="steps")
        async def undeclared(*, uow):
            async with uow.session() as repos:
                return repos.user
    """)
    with pytest.raises(NotFoundError):
        await manager.execute_service("test.steps.two_steps")
    assert scratch_messages(db) == ["step one"]   # visible as soon as its step ended
    with pytest.raises(AttributeError, match="did not declare the repository 'user'"):
        await manager.execute_service("test.steps.undeclared")


async def test_a_transactional_callee_joins_the_callers_transaction(app, db, scratch_registry, tmp_path,
                                                                    monkeypatch):
    manager = scratch_manager(app, tmp_path, monkeypatch, "scratch_join_services", """
        @service("test.join.callee", repositories=["scratch_log"])
        async def callee(*, scratch_log_repository, message):
            await scratch_log_repository.add(message)

        @service("test.join.caller", repositories=["scratch_log"])
        async def caller(*, scratch_log_repository, services, fail):
            await scratch_log_repository.add("caller")
            await services.execute_service("test.join.callee", message="callee")
            if fail:
                raise NotFoundError("the caller fails after the callee wrote")

        @service("test.join.steps_caller", repositories=["scratch_log"], scope="steps")
        async def steps_caller(*, uow, services):
            await services.execute_service("test.join.callee", message="own transaction")
            raise NotFoundError("fails after the callee committed")
    """)
    with pytest.raises(NotFoundError):
        await manager.execute_service("test.join.caller", fail=True)
    assert scratch_messages(db) == []          # the callee's write went with the caller's rollback
    await manager.execute_service("test.join.caller", fail=False)
    assert scratch_messages(db) == ["caller", "callee"]
    with pytest.raises(NotFoundError):
        await manager.execute_service("test.join.steps_caller")
    assert scratch_messages(db)[-1] == "own transaction"   # not joined: committed on its own


def test_scope_and_signature_mismatches_fail_validation(scratch_registry, tmp_path, monkeypatch):
    import_scratch_module(tmp_path, monkeypatch, "scratch_bad_scopes", """
        from backend.new_services.service_manager import service

        @service("test.scope.steps_without_uow", repositories=["user"], scope="steps")
        async def steps_without_uow(*, user_repository):
            return None

        @service("test.scope.uow_in_transaction", repositories=["user"])
        async def uow_in_transaction(*, uow, user_repository):
            return None
    """)
    with pytest.raises(ServiceRegistryError) as info:
        ServiceManager.initialize(None, reference_roots=[tmp_path / "none"])
    message = str(info.value)
    assert "test.scope.steps_without_uow: scope 'steps' needs a `uow` parameter" in message
    assert "gets repositories from `uow`, not as ['user_repository']" in message
    assert "test.scope.uow_in_transaction: only scope 'steps' receives `uow`" in message


async def test_a_failed_statement_does_not_poison_the_pooled_connection(app, scratch_registry, tmp_path,
                                                                       monkeypatch):
    manager = scratch_manager(app, tmp_path, monkeypatch, "scratch_poison_services", """
        @service("test.poison.fail", repositories=["scratch_log"])
        async def fail(*, scratch_log_repository):
            await scratch_log_repository.conn.execute("SELECT 1/0")

        @service("test.poison.read", repositories=["scratch_log"], scope="autocommit")
        async def read(*, scratch_log_repository):
            return await scratch_log_repository.conn.fetchval("SELECT 1")
    """)
    for _ in range(3):
        with pytest.raises(Exception, match="division by zero"):
            await manager.execute_service("test.poison.fail")
        assert await manager.execute_service("test.poison.read") == 1
