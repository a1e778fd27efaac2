"""Repository registry: services name the repositories they need; the ServiceManager builds them."""
from __future__ import annotations

import re

from backend.core.discovery import import_submodules

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_repository_registry: dict[str, type] = {}


class DuplicateRepositoryError(RuntimeError):
    pass


def repository(name: str):
    """Class decorator: register a repository under `name`; services receive it as `{name}_repository`."""
    if not _NAME.match(name):
        raise ValueError(f"invalid repository name {name!r}")

    def decorate(cls: type) -> type:
        existing = _repository_registry.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise DuplicateRepositoryError(f"repository {name!r} registered twice ({existing} and {cls})")
        _repository_registry[name] = cls
        cls.repository_name = name
        return cls

    return decorate


def discover_repositories() -> dict[str, type]:
    import backend.repositories as package

    import_submodules(package)
    return _repository_registry

