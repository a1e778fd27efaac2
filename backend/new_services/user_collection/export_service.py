"""Collection export: the file's text in pages of entries (keyset order by name), written by the formats
package in the target app's columns and spellings; the router streams the pages one after another."""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from backend.new_services.service_manager import service
from backend.new_services.user_collection.collection_service import owned_collection
from backend.new_services.user_collection.formats import ExportEntry, write_collection

EXPORT_PAGE_ROWS = 2000


def export_entry(row: dict[str, Any]) -> ExportEntry:
    cents = row["purchase_price_cents"]
    return ExportEntry(
        name=row["name"], quantity=row["quantity"], set_code=row["set_code"], set_name=row["set_name"],
        collector_number=row["collector_number"], scryfall_id=row["scryfall_id"],
        tcgplayer_product_id=row["tcgplayer_product_id"], multiverse_id=row["multiverse_id"], rarity=row["rarity"],
        finish=row["finish"], condition=row["condition"], language=row["language"],
        purchase_price=None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01")),
        purchase_currency=row["purchase_currency"], acquired_at=row["acquired_at"], tags=tuple(row["tags"]),
        notes=row["notes"])


@service("user_collection.export.page", repositories=["collection", "entry"], scope="autocommit")
async def export_page(*, collection_repository, entry_repository, owner_id: str, collection_id: uuid.UUID,
                      format: str, after: tuple[str, uuid.UUID] | None = None,
                      limit: int = EXPORT_PAGE_ROWS) -> tuple[str, tuple[str, uuid.UUID] | None]:
    """One page of the file (the header with the first), and the key to ask for the next (None after
    the last page)."""
    await owned_collection(collection_repository, owner_id, collection_id)
    rows = await entry_repository.export_page(collection_id, after=after, limit=limit)
    following = (rows[-1]["name"], rows[-1]["entry_id"]) if len(rows) == limit else None
    text = "".join(write_collection([export_entry(row) for row in rows], format=format, header=after is None,
                                    chunk_rows=limit))
    return text, following
