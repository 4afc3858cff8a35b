"""What the app routers share with the API root: the error body and the paginator. A module of its own so
that no router imports the API root (which imports every router)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


class Paginated(PaginationBase):
    """``?page=N&page_size=M`` (at most 200); answers ``{"count", "page", "page_size", "results"}``. Pages
    stop at a million: past any real register, and an offset the databases can still read (a fuzzer's page
    of 10^21 made SQLite fail with a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "results": queryset[offset : offset + pagination.page_size],
        }
