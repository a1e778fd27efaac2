"""List-endpoint dependencies: pagination, whitelisted sorting, free-text search."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query

from backend.request_handling.errors import BadRequestError

MAX_PAGE_SIZE = 200


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


@dataclass(frozen=True)
class Sort:
    """A sort that is safe to put in SQL: the column comes from a whitelist, never from input."""

    column: str
    direction: Literal["ASC", "DESC"]

    @property
    def sql(self) -> str:
        return f"{self.column} {self.direction}"


def sort_params(allowed: Mapping[str, str], default: str, default_direction: str = "asc"):
    """Build a dependency accepting `sort_by` from `allowed` (public name -> SQL column expression)."""
    if default not in allowed:
        raise ValueError("default sort must be allowed")

    def dependency(
        # The annotation must not name closure variables: with postponed annotations FastAPI
        # resolves it from module globals only. Allowed values are listed in the 400 error.
        sort_by: Annotated[str, Query(description="Sort column (a 400 error lists the allowed ones)")] = default,
        sort_order: Annotated[Literal["asc", "desc"], Query()] = default_direction,  # type: ignore[assignment]
    ) -> Sort:
        if sort_by not in allowed:
            raise BadRequestError(
                f"cannot sort by {sort_by!r}", details={"sort_by": sort_by, "allowed": sorted(allowed)},
                code="invalid_sort",
            )
        return Sort(column=allowed[sort_by], direction="DESC" if sort_order == "desc" else "ASC")

    return dependency


def search_param(
    search: Annotated[str | None, Query(max_length=200, description="Case-insensitive text search")] = None,
) -> str | None:
    return search.strip() or None if search is not None else None


SearchDep = Annotated[str | None, Depends(search_param)]
