"""The three response envelopes every endpoint answers with."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ApiResponse(BaseModel, Generic[T]):
    success: bool = True
    data: T
    message: str | None = None


class PaginationInfo(BaseModel):
    limit: int
    offset: int
    total_count: int
    has_next: bool
    has_previous: bool

    @classmethod
    def build(cls, *, limit: int, offset: int, total_count: int) -> "PaginationInfo":
        return cls(
            limit=limit,
            offset=offset,
            total_count=total_count,
            has_next=offset + limit < total_count,
            has_previous=offset > 0,
        )


class PaginatedResponse(BaseModel, Generic[T]):
    success: bool = True
    data: list[T]
    pagination: PaginationInfo
    message: str | None = None

    @classmethod
    def build(cls, items: list[T], *, limit: int, offset: int, total_count: int, message: str | None = None):
        return cls(
            data=items,
            pagination=PaginationInfo.build(limit=limit, offset=offset, total_count=total_count),
            message=message,
        )


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable error code, e.g. not_found")
    message: str = Field(description="What was wrong, for a human")
    details: Any | None = Field(default=None, description="Where it was wrong (fields, positions, candidates)")


class ErrorResponse(BaseModel):
    success: bool = False
    error: ErrorDetail
    request_id: str | None = None
