"""Bulk data of the Scryfall-compatible API: files AutoMana generates from its own catalog (one JSON
array per type, one object per line, as Scryfall writes them; stored gzipped), their /bulk-data
entries, and the file lookup for downloads. Another AutoMana loads them like Scryfall's own files.

A generation writes each file under a temporary name and renames it into place before its entry
changes, so a download never sees a half-written file; the file an entry named before is kept (a
download of it may be running) and the one before that removed.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import orjson
from isal import igzip

from backend.core.settings import Settings
from backend.new_services.scryfall_compat.objects import api_uri, list_of
from backend.new_services.service_manager import service
from backend.repositories.scryfall_compat.bulk_data_repository import BULK_TYPES, BulkDataRepository
from backend.request_handling.errors import BadRequestError, ConflictError, NotFoundError

BULK_NAMESPACE = uuid.UUID("0b4f5e3c-2f0a-4d7e-9c55-6a1d2b8e7f31")
DESCRIPTIONS = {
    "oracle_cards": ("Oracle Cards", "One card object for each card, in its default printing."),
    "unique_artwork": ("Unique Artwork", "One card object for each artwork, in its default printing."),
    "default_cards": ("Default Cards", "Every printing in English, or in its printed language when it has "
                                       "no English version."),
    "all_cards": ("All Cards", "Every printing in every language."),
    "rulings": ("Rulings", "Every ruling, by oracle id."),
}
WRITE_CHUNK = 1000       # objects per compressed write (handed to a thread)
COMPRESS_LEVEL = 2       # ISA-L's levels are 0-3: 2 keeps a 100k-printing file fast and small


def bulk_dir(settings: Settings) -> Path:
    return settings.scryfall_bulk_dir or settings.data_dir / "bulk-data"


def bulk_id(bulk_type: str) -> uuid.UUID:
    return uuid.uuid5(BULK_NAMESPACE, bulk_type)


def _entry_object(entry: dict[str, Any]) -> dict[str, Any]:
    name, description = DESCRIPTIONS[entry["bulk_type"]]
    return {
        "object": "bulk_data", "id": str(entry["bulk_id"]), "type": entry["bulk_type"],
        "updated_at": entry["updated_at"].astimezone(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "uri": api_uri(f"/bulk-data/{entry['bulk_id']}"), "name": name, "description": description,
        "size": entry["size"], "download_uri": api_uri(f"/bulk-data/files/{entry['file_name']}"),
        "content_type": "application/json", "content_encoding": "gzip",
    }


@service("scryfall_compat.bulk_data.list", repositories=["bulk_data"], scope="autocommit")
async def list_bulk_data(*, bulk_data_repository: BulkDataRepository) -> str:
    return list_of([_entry_object(e) for e in await bulk_data_repository.entries()])


@service("scryfall_compat.bulk_data.get", repositories=["bulk_data"], scope="autocommit")
async def get_bulk_data(*, bulk_data_repository: BulkDataRepository, key: str) -> str:
    """One entry by id or by type: exactly the object the list holds for it."""
    try:
        entry = await bulk_data_repository.entry_by_id(uuid.UUID(key))
    except ValueError:
        entry = await bulk_data_repository.entry_by_type(key) if key in BULK_TYPES else None
    if entry is None:
        raise NotFoundError(f"No bulk data file for {key!r} (known types: {', '.join(BULK_TYPES)}; "
                            "generated files only).", details={"key": key})
    return orjson.dumps(_entry_object(entry)).decode()


@service("scryfall_compat.bulk_data.file", repositories=["bulk_data"], scope="autocommit")
async def bulk_file(*, bulk_data_repository: BulkDataRepository, settings: Settings, file_name: str) -> dict:
    """The stored file behind a download URI (the current or the previous one of its type)."""
    entry = await bulk_data_repository.entry_by_file(file_name)
    directory = bulk_dir(settings)
    path = directory / (file_name + ".gz")
    if path.parent != directory or not path.is_file() or (entry is None and not _is_previous(directory, file_name)):
        raise NotFoundError("No such bulk data file (it may have been replaced by a newer one).",
                            details={"file": file_name})
    return {"path": str(path), "file_name": file_name, "compressed_size": path.stat().st_size}


def _is_previous(directory: Path, file_name: str) -> bool:
    return (directory / (file_name + ".previous")).exists()


def _file_name(bulk_type: str, at: dt.datetime) -> str:
    return f"{bulk_type.replace('_', '-')}-{at.strftime('%Y%m%d%H%M%S%f')}.json"


class _GzipWriter:
    def __init__(self, path: Path):
        self.file = igzip.open(path, "wb", compresslevel=COMPRESS_LEVEL)
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.close()


async def _write_type(repos, bulk_type: str, path: Path) -> tuple[int, int]:
    """Write one type's objects to `path` (gzipped); returns (objects, bytes of JSON text)."""
    writer = _GzipWriter(path)
    count = 0
    try:
        chunk: list[str] = []
        await asyncio.to_thread(writer.write, b"[\n")
        async with repos.transaction():
            async for text in repos.bulk_data.stream(bulk_type):
                chunk.append(text)
                if len(chunk) >= WRITE_CHUNK:
                    await asyncio.to_thread(writer.write, _lines(chunk, first=count == 0))
                    count += len(chunk)
                    chunk = []
        if chunk:
            await asyncio.to_thread(writer.write, _lines(chunk, first=count == 0))
            count += len(chunk)
        await asyncio.to_thread(writer.write, b"\n]\n")
    finally:
        await asyncio.to_thread(writer.close)
    return count, writer.size


def _lines(texts: list[str], *, first: bool) -> bytes:
    body = ",\n".join(texts).encode()
    return body if first else b",\n" + body


@service("scryfall_compat.bulk_data.generate", repositories=["bulk_data"], scope="steps")
async def generate_bulk_data(*, uow, settings: Settings, types: list[str] | None = None) -> dict[str, dict]:
    """(Re)generate the bulk files of `types` (default: all five) from the catalog."""
    wanted = list(dict.fromkeys(types or BULK_TYPES))
    unknown = [t for t in wanted if t not in BULK_TYPES]
    if unknown:
        raise BadRequestError(f"unknown bulk data types {unknown}; known: {', '.join(BULK_TYPES)}")
    directory = bulk_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    async with uow.session() as repos:
        if not await repos.bulk_data.try_lock():
            raise ConflictError("bulk data files are being generated already")
        try:
            for bulk_type in wanted:
                results[bulk_type] = await _generate_one(repos, directory, bulk_type)
        finally:
            if not repos.connection_closed():
                await repos.bulk_data.unlock()
    return results


async def _generate_one(repos, directory: Path, bulk_type: str) -> dict:
    started = dt.datetime.now(dt.timezone.utc)
    name = _file_name(bulk_type, started)
    final = directory / (name + ".gz")
    partial = directory / (name + ".gz.part")
    try:
        count, size = await _write_type(repos, bulk_type, partial)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    previous = await repos.bulk_data.save_entry(
        bulk_type=bulk_type, bulk_id=bulk_id(bulk_type), file_name=name, size=size,
        compressed_size=final.stat().st_size, record_count=count, updated_at=started)
    _retire(directory, bulk_type, current=name, previous=previous)
    seconds = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
    return {"file": name, "objects": count, "size": size, "compressed_size": final.stat().st_size,
            "seconds": round(seconds, 3)}


def _retire(directory: Path, bulk_type: str, *, current: str, previous: str | None) -> None:
    """Mark the previous file of a type (still downloadable) and remove older ones."""
    prefix = bulk_type.replace("_", "-") + "-"
    for path in directory.glob(prefix + "*.json.gz"):
        name = path.name.removesuffix(".gz")
        marker = directory / (name + ".previous")
        if name == current:
            marker.unlink(missing_ok=True)
        elif name == previous:
            marker.touch()
        else:
            path.unlink(missing_ok=True)
            marker.unlink(missing_ok=True)
