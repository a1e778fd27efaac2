"""List-endpoint dependencies: pagination, whitelisted sorting, free-text search."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Path, Query

from backend.repositories.kit import Sort
from backend.request_handling.errors import BadRequestError

MAX_PAGE_SIZE = 200
BIGINT_MAX = 2**63 - 1   # ids held in BIGINT columns: anything larger cannot name a row


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int


def pagination_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(pagination_params)]
RunIdPath = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="A run id (ops.ingestion_runs)")]


def sort_params(fields: Sequence[str], default: str, default_direction: Literal["asc", "desc"] = "asc"):
    """A dependency accepting `sort_by` (one of the public `fields`, which the list's repository
    maps to SQL through its whitelist) and `sort_order`."""
    if default not in fields:
        raise ValueError("default sort must be one of the fields")
    allowed = tuple(sorted(fields))

    def dependency(sort_by: str = default, sort_order: str = default_direction) -> Sort:
        if sort_by not in allowed:
            raise BadRequestError(
                f"cannot sort by {sort_by!r}", details={"sort_by": sort_by, "allowed": list(allowed)},
                code="invalid_sort",
            )
        return Sort(field=sort_by, descending=sort_order == "desc")

    # Real objects, not the postponed strings of `from __future__ import annotations`: the string
    # form refers to closure variables FastAPI cannot resolve.
    dependency.__annotations__ = {
        "sort_by": Annotated[str, Query(description=f"One of: {', '.join(allowed)}")],
        "sort_order": Annotated[Literal["asc", "desc"], Query()],
        "return": Sort,
    }
    return dependency


def search_param(
    search: Annotated[str | None, Query(max_length=200, description="Case-insensitive text search")] = None,
) -> str | None:
    return search.strip() or None if search is not None else None


SearchDep = Annotated[str | None, Depends(search_param)]
